"""``afasgov check [ENV…]``: per environment and App Connector — reachable, authenticated, Profit
version, ``tokenExpiry``, OAuth access-token lifetime — as a table (or JSON).

Exit codes (DESIGN §9): 0 every App Connector answered; 2 a configuration problem (missing variable,
malformed token or key: reported before any request is sent); 3 at least one App Connector failed
remotely (unreachable, refused, server error after retries).
"""

from __future__ import annotations

import asyncio
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import httpx

from afasgov.config.hosts import ENVID_PREFIX
from afasgov.errors import AfasgovError
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient
from afasgov.profit.credentials import Credentials, load_all_credentials
from afasgov.profit.retry import RetryPolicy
from afasgov.secrets import redact

if TYPE_CHECKING:
    from afasgov.config import AppConnectorConfig, EnvironmentConfig

#: classic tokens expire on this date; classic App Connectors stop working after the cut-off (AFAS).
CLASSIC_TOKEN_EXPIRY = date(2027, 5, 1)
CLASSIC_CUTOFF = date(2027, 8, 31)
EXPIRY_WARNING_DAYS = 30

TransportFactory = Callable[["EnvironmentConfig", "AppConnectorConfig"], httpx.AsyncBaseTransport | None]


@dataclass
class CheckResult:
    """One row of the check table (also the JSON shape)."""

    environment: str
    app_connector: str
    auth: str
    base_url: str
    reachable: bool | None = None
    authenticated: bool | None = None
    profit_version: str | None = None
    envid: str | None = None
    app_name: str | None = None
    token_expiry: str | None = None
    token_expiry_text: str = ""
    access_token_lifetime: float | None = None
    get_connectors: int | None = None
    update_connectors: int | None = None
    notes: list[str] = field(default_factory=list)
    environment_notes: list[str] = field(default_factory=list)
    error: str | None = None
    error_type: str | None = None
    #: ``host:port`` that did not answer (a transport error), else ``None``
    unreachable_host: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_token_expiry(
    value: Any, *, today: date | None = None, classic: bool = False
) -> tuple[str, list[str]]:
    """``tokenExpiry`` as text plus notes. ``"0"`` (or empty) most likely means "never" [guess]; a
    date (ISO or ``dd-mm-yyyy``) is shown with the days left [guess: the format is undocumented].

    ``classic``: a classic token ends on 2027-05-01 whatever ``tokenExpiry`` says, so that date (or an
    earlier one) is shown, never "never" beside the classic-token note."""
    notes: list[str] = []
    never = value is None or (isinstance(value, str) and value.strip() in ("", "0")) or value == 0
    if never and not classic:
        notes.append("token never expires (tokenExpiry 0): set a validity period on the App Connector")
        return "never", notes
    text = "" if never else str(value).strip()
    parsed = None if never else _parse_date(text)
    if classic and (parsed is None or parsed > CLASSIC_TOKEN_EXPIRY):
        parsed = CLASSIC_TOKEN_EXPIRY
    if parsed is None:
        return text[:40], notes
    today = today or datetime.now(UTC).date()
    days = (parsed - today).days
    if days < 0:
        notes.append(f"token expired on {parsed.isoformat()}")
        return f"{parsed.isoformat()} (expired)", notes
    if days < EXPIRY_WARNING_DAYS:
        notes.append(f"token expires in {days} days: rotate it")
    return f"{parsed.isoformat()} ({days} d)", notes


def _parse_date(text: str) -> date | None:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return None
    return None


def format_lifetime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    if seconds >= 60:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds)} s"


async def check_app_connector(
    env: EnvironmentConfig,
    ac: AppConnectorConfig,
    *,
    credentials: Credentials | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    today: date | None = None,
) -> CheckResult:
    """Check one App Connector. Remote failures are recorded in the result, not raised."""
    result = CheckResult(
        environment=env.name,
        app_connector=ac.name,
        auth=ac.auth.label,
        base_url=env.base_url,
        environment_notes=environment_notes(env),
    )
    if ac.auth.type == "classic":
        result.notes.append(
            f"classic token: classic tokens expire on {CLASSIC_TOKEN_EXPIRY.isoformat()} and stop "
            f"working after {CLASSIC_CUTOFF.isoformat()}; migrate to OAuth"
        )
    step = "connect"
    try:
        async with ProfitClient(env, ac, transport=transport, retry=retry, credentials=credentials) as client:
            step = "authenticate"
            info = await client.authenticate()
            result.access_token_lifetime = info.access_token_lifetime
            step = "metainfo"
            meta = await client.metainfo()
            result.reachable = True
            result.authenticated = True
            _read_metainfo(env, meta, result, today)
            step = "profitversion"
            result.profit_version = await client.profit_version()
    except (E.TransportError, E.RedirectError) as exc:
        result.reachable = False
        _fail(result, exc)
    except (E.AuthenticationError, E.OAuthError, E.IPRestrictedError) as exc:
        result.reachable = True
        result.authenticated = False
        _fail(result, exc)
    except E.ProfitError as exc:
        result.reachable = True
        if step == "profitversion":
            result.authenticated = True
        _fail(result, exc)
    return result


def environment_notes(env: EnvironmentConfig) -> list[str]:
    """Notes about an environment's configuration (the audit reports these as findings)."""
    notes = []
    for flag in env.flags:
        if flag == "non-afas-host":
            notes.append(f"host {env.host} is not an AFAS host (allowed by allow_non_afas_host)")
        elif flag == "http":
            notes.append("plain http:// (allowed for loopback only)")
        elif flag == "host-type-mismatch":
            notes.append(f"host {env.host} does not match tenant {env.tenant} / type {env.type}")
        elif flag == "unusual-afas-host":
            notes.append(f"host {env.host} is not one of AFAS's REST host names")
        elif flag == "custom-ca":
            notes.append("TLS verified against a custom CA file (ca_file)")
    return notes


def _fail(result: CheckResult, exc: E.ProfitError) -> None:
    result.error = redact(str(exc))
    result.error_type = type(exc).__name__
    if isinstance(exc, E.TransportError) and exc.host:
        result.unreachable_host = exc.host


def failure_lines(results: Sequence[CheckResult]) -> list[str]:
    """One line per failure; App Connectors that could not reach the same server share one line
    (``cannot reach AFAS Profit at host:port …: 3 App Connectors (production/a, …)``)."""
    by_host: dict[str, list[CheckResult]] = {}
    for r in results:
        if not r.ok and r.unreachable_host:
            by_host.setdefault(r.unreachable_host, []).append(r)
    lines: list[str] = []
    shown: set[str] = set()
    for r in results:
        if r.ok:
            continue
        same = by_host.get(r.unreachable_host or "", [])
        if len(same) < 2:
            lines.append(str(r.error))
            continue
        if r.unreachable_host in shown:
            continue
        shown.add(str(r.unreachable_host))
        who = ", ".join(f"{x.environment}/{x.app_connector}" for x in same)
        detail = str(r.error).split(f" at {r.unreachable_host}", 1)[-1].lstrip(": ")
        lines.append(f"cannot reach AFAS Profit at {r.unreachable_host} ({detail}): {len(same)} App Connectors "
                     f"not checked ({who})")
    return lines


def _read_metainfo(
    env: EnvironmentConfig, meta: dict[str, Any], result: CheckResult, today: date | None
) -> None:
    info = meta.get("info") if isinstance(meta.get("info"), dict) else {}
    assert isinstance(info, dict)
    envid = info.get("envid")
    result.envid = envid if isinstance(envid, str) else None
    app_name = info.get("appName")
    result.app_name = app_name if isinstance(app_name, str) else None
    expiry = info.get("tokenExpiry")
    result.token_expiry = None if expiry is None else str(expiry)
    classic = (env.app_connectors[result.app_connector].auth.type == "classic"
               if result.app_connector in env.app_connectors else False)
    result.token_expiry_text, notes = describe_token_expiry(expiry, today=today, classic=classic)
    result.notes.extend(notes)
    for key, attr in (("getConnectors", "get_connectors"), ("updateConnectors", "update_connectors")):
        value = meta.get(key)
        if isinstance(value, list):
            setattr(result, attr, len(value))
    expected = ENVID_PREFIX.get(env.type)
    if result.envid and expected and not result.envid.upper().startswith(expected):
        result.notes.append(
            f"envid {result.envid} does not look like a {env.type} environment "
            f"(expected it to start with {expected})"
        )


async def check_environments(
    envs: Sequence[EnvironmentConfig],
    *,
    transport_factory: TransportFactory | None = None,
    retry: RetryPolicy | None = None,
    today: date | None = None,
) -> list[CheckResult]:
    """Check every App Connector of ``envs`` concurrently (each environment's limit applies).

    Credentials are loaded first: a :class:`~afasgov.errors.ConfigError` is raised before any request.
    """
    credentials = load_all_credentials(envs)
    jobs: list[tuple[EnvironmentConfig, AppConnectorConfig, Credentials]] = []
    for env in envs:
        for ac in env.app_connectors.values():
            jobs.append((env, ac, credentials[(env.name, ac.name)]))
    results = await asyncio.gather(
        *(
            check_app_connector(
                env,
                ac,
                credentials=creds,
                transport=transport_factory(env, ac) if transport_factory else None,
                retry=retry,
                today=today,
            )
            for env, ac, creds in jobs
        )
    )
    out: list[CheckResult] = []
    for env in envs:
        if not env.app_connectors:
            out.append(
                CheckResult(
                    environment=env.name,
                    app_connector="-",
                    auth="-",
                    base_url=env.base_url,
                    notes=["no App Connectors configured"],
                    environment_notes=environment_notes(env),
                )
            )
        out.extend(r for r in results if r.environment == env.name)
    return out


#: the table's short names of the OAuth client authentications
_SHORT_AUTH = {"oauth/client_secret_post": "oauth/post", "oauth/client_secret_basic": "oauth/basic",
               "oauth/private_key_jwt": "oauth/jwt"}


def _result_word(r: CheckResult) -> str:
    if r.app_connector == "-":
        return "skipped"
    if r.ok:
        return "ok"
    if r.reachable is False:
        return "unreachable"
    if r.authenticated is False:
        return "refused"
    return "FAILED"


def render_table(results: Sequence[CheckResult]) -> list[str]:
    """One row per App Connector, within 100 columns for ordinary names (the access token's lifetime,
    reachability and authentication in detail are in ``--format json`` and the notes)."""
    headers = ["ENVIRONMENT", "APP CONNECTOR", "AUTH", "PROFIT", "ENVID", "TOKEN EXPIRY", "RESULT"]
    rows = [
        [r.environment, r.app_connector, _SHORT_AUTH.get(r.auth, r.auth), r.profit_version or "-", r.envid or "-",
         r.token_expiry_text or "-", _result_word(r)]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    return lines


def note_lines(results: Sequence[CheckResult], *, width: int = 100) -> list[str]:
    """The notes under the table, each said once: a note shared by several App Connectors (or
    environments) lists them after it; lines wrap at ``width``."""
    grouped: dict[str, list[str]] = {}
    seen_env: set[str] = set()
    for r in results:
        if r.environment not in seen_env:
            seen_env.add(r.environment)
            for note in r.environment_notes:
                grouped.setdefault(note, []).append(r.environment)
        for note in r.notes:
            who = r.environment if r.app_connector == "-" else f"{r.environment}/{r.app_connector}"
            grouped.setdefault(note, []).append(who)
    lines: list[str] = []
    for note, whom in grouped.items():
        text = f"note: {whom[0]}: {note}" if len(whom) == 1 else f"note: {note} ({', '.join(whom)})"
        lines.extend(textwrap.wrap(text, width=width, initial_indent="  ", subsequent_indent="        ",
                                   break_on_hyphens=False))
    return lines


__all__ = [
    "AfasgovError",
    "CheckResult",
    "check_app_connector",
    "check_environments",
    "describe_token_expiry",
    "failure_lines",
    "format_lifetime",
    "note_lines",
    "render_table",
]
