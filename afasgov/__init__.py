"""afasgov — govern AFAS Profit connector definitions.

Snapshot the connector metainfo of accept, test and production, keep GetConnector definitions
(``.gcn``) as readable code, diff them to catch breaking changes before a Profit release reaches
production, audit App Connector scopes, and report for humans and machines.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
