"""A partner's fleet: release week over hundreds of tenants (issue 15; docs/fleet.md).

* :mod:`afasgov.config.fleet` — ``fleet:`` in ``afasgov.yaml`` and the tenants file;
* :mod:`afasgov.fleet.model` — ``fleet.json``: tenant results, the fleet-wide figures derived from
  them, and :func:`~afasgov.fleet.model.merge` of shards;
* :mod:`afasgov.fleet.render` — the fleet report as HTML, Markdown and JUnit.
"""

from __future__ import annotations
