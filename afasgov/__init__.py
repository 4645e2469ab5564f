"""afasgov — govern AFAS Profit connector definitions.

Snapshot the connector metainfo of accept, test and production, keep GetConnector definitions
(``.gcn``) as readable code, diff them to catch breaking changes before a Profit release reaches
production, audit App Connector scopes, and report for humans and machines.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: where afasgov's source and documentation live; SARIF rule help links point into its docs/ (the one place
#: to change when the repository moves)
PROJECT_URL = "https://github.com/afasgov/afasgov"

__all__ = ["PROJECT_URL", "__version__"]
