"""The embedded AFAS Profit simulator (DESIGN §10): an ASGI app, its datasets and ``afasgov sim``.

* :func:`afasgov.sim.app.create_app` — the Starlette app serving every environment of a dataset;
* :mod:`afasgov.sim.testing` — ``running_sim`` (real socket), ``asgi_transport``/``sync_transport``
  (in-process) and the demo credentials for tests;
* :mod:`afasgov.sim.datasets` — ``demo`` (authored YAML) and ``synthetic:N``;
* :func:`afasgov.sim.serve.run_sim` — the ``afasgov sim`` command.

Reference: ``docs/simulator.md``; the demo organisation's story: ``docs/demo-dataset.md``.
"""
