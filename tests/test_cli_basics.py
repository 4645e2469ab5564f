"""The command line's global behaviour: help, version, one-line errors and exit codes."""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Callable

import pytest

from afasgov import __version__
from afasgov.cli import main
from afasgov.errors import ConfigError, InputError, RemoteError
from afasgov.secrets import Secret, redact


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True,
                          timeout=60)


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "sim"):
        assert command in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_unknown_command_is_usage_error() -> None:
    result = run("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def check_exit_code(run_check: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> object:
    """``afasgov check`` with its command replaced by ``run_check``: the exit code the CLI gives."""
    fake = types.ModuleType("afasgov.commands.check")
    fake.run_check = run_check  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "afasgov.commands.check", fake)
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    return exc.value.code


@pytest.mark.parametrize(("error", "code"), [
    (ConfigError("bad", file="afasgov.yaml", key_path="environments.x"), 2),
    (InputError("truncated", source="a.gcn"), 2),
    (RemoteError("unreachable"), 3),
])
def test_errors_map_to_exit_codes(error: Exception, code: int, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import afasgov.cli as cli_module

    def boom(*_a: object, **_k: object) -> int:
        raise error

    exit_code = check_exit_code(boom, monkeypatch)
    assert exit_code == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert cli_module is not None


def test_secret_is_redacted_everywhere() -> None:
    secret = Secret("s3cr3t-value-123", name="AFAS_TOKEN")
    assert "s3cr3t" not in repr(secret)
    assert "s3cr3t" not in str(secret)
    assert "s3cr3t" not in f"{secret}"
    assert "s3cr3t" not in redact("failed with s3cr3t-value-123 in body")
    assert secret.reveal() == "s3cr3t-value-123"
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(secret)


def test_error_details_follow_the_error_line_each_bounded_and_counted(monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """An error listing the user's own items (every missing secret) prints them under its one error line,
    indented, each line bounded like the error line, at most MAX_DETAILS of them plus a count."""

    from afasgov.errors import MAX_DETAILS
    from afasgov.textsafe import MAX_ERROR_CHARS

    error = ConfigError("many secrets are missing", file="afasgov.yaml")
    error.details = tuple(f"environments.e{i}.token_env: variable V{i} is not set" for i in range(MAX_DETAILS + 7))
    error.details += ("x" * 5000 + "\x1b[2J",)

    def boom(*_a: object, **_k: object) -> int:
        raise error

    exit_code = check_exit_code(boom, monkeypatch)
    assert exit_code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "afasgov: error: afasgov.yaml: many secrets are missing"
    assert lines[1:MAX_DETAILS + 1] == [f"  {d}" for d in error.details[:MAX_DETAILS]]
    assert lines[MAX_DETAILS + 1] == "  … and 8 more" and len(lines) == MAX_DETAILS + 2
    assert all(len(line) <= MAX_ERROR_CHARS + 2 and "\x1b" not in line for line in lines)


@pytest.mark.parametrize(("interrupt", "code"), [(KeyboardInterrupt, 130), ("terminated", 143)])
def test_an_interrupt_wrapped_by_python_is_still_an_interrupt(interrupt: object, code: int,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A signal that arrives while a module is imported can surface as another exception (a dataclass's
    ``__set_name__`` wraps it in RuntimeError): still exit 130/143, never 'internal error' (70)."""

    from afasgov.cli import Terminated

    signal_exc = Terminated() if interrupt == "terminated" else KeyboardInterrupt()

    def boom(*_a: object, **_k: object) -> int:
        try:
            raise signal_exc
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from exc

    exit_code = check_exit_code(boom, monkeypatch)
    assert exit_code == code
    err = capsys.readouterr().err
    assert "internal error" not in err and ("interrupted" in err or "terminated" in err)


#: a Ctrl-C arriving while ``module`` is being imported (a finder that raises it, as Python's signal
#: handler would there), then the console script's entry point, as the installed ``afasgov`` runs it
_INTERRUPTED_IMPORT = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            raise {error}
sys.meta_path.insert(0, Interrupt())
sys.argv = ["afasgov", "--version"]
from afasgov.__main__ import main
main()
"""


@pytest.mark.parametrize("error", ["KeyboardInterrupt", "RuntimeError('set_name') from KeyboardInterrupt()"])
@pytest.mark.parametrize("module", ["click", "afasgov.cli"])
def test_ctrl_c_while_the_command_line_is_imported_is_one_line_and_130(module: str, error: str) -> None:
    """The first ~0.1 s of every run imports the command line; a Ctrl-C there was a KeyboardInterrupt
    traceback and a death by SIGINT (the console script imported afasgov.cli outside any handler)."""
    code = _INTERRUPTED_IMPORT.format(module=module, error=error)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "afasgov: interrupted\n"


def test_an_import_error_of_the_command_line_is_not_taken_for_an_interrupt() -> None:
    code = _INTERRUPTED_IMPORT.format(module="click", error="ImportError('no click')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "ImportError: no click" in proc.stderr


def test_sigterm_inside_asyncio_run_cancels_the_main_task_like_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM during a command's event loop goes through asyncio's own SIGINT handling (the main task is
    cancelled at its await, every clean-up runs), not an exception raised wherever the loop happens to be
    (that could leave the loop's shutdown waiting for ever: an interrupted snapshot that did not end)."""
    import asyncio
    import signal

    import afasgov.cli as cli_module

    monkeypatch.setattr(cli_module, "_TERMINATED", [])
    seen: list[str] = []

    async def command() -> None:
        cli_module._on_sigterm(signal.SIGTERM, None)  # as if the signal arrived here
        seen.append("handler returned")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen.append("cancelled at the await")
            raise

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (asyncio needs it)
    try:
        with pytest.raises(KeyboardInterrupt) as exc:
            asyncio.run(command())
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == ["handler returned", "cancelled at the await"]
    assert cli_module._interrupted(exc.value) == 143
