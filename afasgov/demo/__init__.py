"""The demo organisation (*Lindeboom*): its data and the builders of what this repository commits.

* :mod:`afasgov.demo.run` — ``afasgov demo``: the simulator in-process, a scaffolded working
  directory with the demo integrations (:mod:`afasgov.demo.data`), a release check end to end;
* :mod:`afasgov.demo.snapshots` — ``python -m afasgov.demo.snapshots [--check]``: the committed
  snapshots under ``definitions/{production,test,accept}/``;
* :mod:`afasgov.demo.getconnectors` — ``python -m afasgov.demo.getconnectors [--check]``: the
  committed GetConnector definitions under ``definitions/getconnectors/``;
* ``afasgov/demo/data/integrations/`` — the demo's integration manifests and recorded payloads.

Product code never imports :mod:`afasgov.sim.testing`; the demo runs the simulator through
:func:`afasgov.sim.serve.running_sim`.
"""
