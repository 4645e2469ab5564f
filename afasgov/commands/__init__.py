"""The commands: one module per command (or command group), called by :mod:`afasgov.cli` only.

Each ``run_*`` function takes the run's :class:`~afasgov.app.AppContext`, does the command's work
through the library packages (:mod:`afasgov.workspace`, :mod:`afasgov.diff`, :mod:`afasgov.audit`, …),
prints what the user needs and returns the exit code (DESIGN §9). Nothing but the CLI imports this
package (``tests/test_architecture.py``).
"""
