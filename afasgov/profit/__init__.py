"""afasgov.profit — the AFAS Profit REST client (reference: docs/client.md).

* :mod:`~afasgov.profit.client` — :class:`ProfitClient` (async) and :class:`SyncProfitClient`;
* :mod:`~afasgov.profit.errors` — the remote-error hierarchy (exit code 3);
* :mod:`~afasgov.profit.limits` — at most 8 requests in flight per environment, shared per run;
* :mod:`~afasgov.profit.retry` — retry policy (503 and transport failures only);
* :mod:`~afasgov.profit.urls` — endpoint paths, paging and filter parameters (base URLs and host checks:
  :mod:`afasgov.config.hosts`);
* :mod:`~afasgov.profit.tokens`, :mod:`~afasgov.profit.credentials`, :mod:`~afasgov.profit.oauth` — auth;
* :mod:`~afasgov.profit.check` — what ``afasgov check`` (:mod:`afasgov.commands.check`) reports.
"""
