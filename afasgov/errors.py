"""The one exception hierarchy of afasgov, and the exit codes of DESIGN §9.

Every error that reaches the command line is an :class:`AfasgovError`; its ``exit_code`` is the
documented exit code and ``str(error)`` is the one line shown to the user (never a secret).

* ``0`` ok; ``1`` findings at or above ``--fail-on`` (not an exception: commands return it);
* ``2`` usage, configuration or input error (:class:`UsageError`, :class:`ConfigError`,
  :class:`InputError`);
* ``3`` remote failure: unreachable, authentication refused, server error after retries
  (:class:`RemoteError`, specialised in :mod:`afasgov.profit.errors`).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_REMOTE = 3
EXIT_INTERNAL = 70  # an internal error: a bug, please report it
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (a cancelled CI job, timeout)


#: the most detail lines the CLI prints under one error line (the rest are counted)
MAX_DETAILS = 50


class AfasgovError(Exception):
    """Base class of every error afasgov raises on purpose.

    ``str(exc)`` is the one error line. ``details`` are optional follow-up lines the CLI prints indented
    under it (each bounded like the error line, at most :data:`MAX_DETAILS`): an error that lists items
    of the user's own configuration, such as every missing secret of a run, lists them all there instead
    of being cut to fit one line."""

    exit_code: int = EXIT_USAGE
    details: tuple[str, ...] = ()


class UsageError(AfasgovError):
    """The command line itself is wrong (unknown environment, conflicting options)."""

    exit_code = EXIT_USAGE


class ConfigError(AfasgovError):
    """``afasgov.yaml`` (or a file it names) is invalid: says file, key path and reason."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, file: str | None = None, key_path: str | None = None) -> None:
        self.file = file
        self.key_path = key_path
        self.reason = message
        where = ""
        if file:
            where = file
        if key_path:
            where = f"{where}: {key_path}" if where else key_path
        super().__init__(f"{where}: {message}" if where else message)


class InputError(AfasgovError):
    """An input file or document is malformed (definitions tree, .gcn, payload, YAML, ...)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class RemoteError(AfasgovError):
    """AFAS Profit (or the simulator) could not be used: see :mod:`afasgov.profit.errors`."""

    exit_code = EXIT_REMOTE


def interrupt_in_chain(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM an exception was raised from (``__cause__``/``__context__``), if any: a signal
    that arrives while a module is being imported can come out as another exception type."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
