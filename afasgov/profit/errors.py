"""Remote failures of AFAS Profit: one hierarchy under :class:`afasgov.errors.RemoteError` (exit 3).

Every message is one line: ``<environment>/<app connector>: <METHOD> <url path>: <what happened>``.
It never holds a secret: no headers, no query string (filters may hold personal data), and the text
is passed through :func:`afasgov.secrets.redact`.

::

    ProfitError (RemoteError, exit 3)
    ├── TransportError            unreachable: DNS, connection refused/reset, closed mid-response
    │   ├── TLSError              certificate verification or handshake failed
    │   └── TimeoutError_         connect/read/write timeout
    ├── HTTPStatusError           an unexpected status (also the base of the classes below)
    │   ├── AuthenticationError   401 (token or access token refused)
    │   ├── IPRestrictedError     403 (the App Connector's IP restriction)
    │   ├── NotFoundError         404 (unknown URL or a query string over 2,049 characters)
    │   ├── RequestTooLargeError  413
    │   ├── ProfitServerError     500 (external_message, error_number, profit_log_reference)
    │   └── ServiceUnavailableError 503 (retry_after)
    ├── OAuthError                token endpoint refused (error, description)
    │   ├── InvalidClientError    invalid_client
    │   └── InvalidRequestError   invalid_request
    ├── BadResponseError          not what the API promises
    │   ├── HTMLResponseError     an HTML page (proxy, login or error page) instead of JSON
    │   ├── InvalidJSONError      invalid or truncated JSON, or the wrong JSON shape
    │   └── ResponseTooLargeError body over the configured cap
    └── RedirectError             a 3xx answer (redirects are never followed)
"""

from __future__ import annotations

from afasgov.errors import RemoteError
from afasgov.secrets import redact

MAX_MESSAGE_CHARS = 400


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Collapse whitespace (no newlines, no control characters) and truncate; redacted."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    cleaned = redact(cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


class ProfitError(RemoteError):
    """A request to AFAS Profit failed. Attributes name where; ``str()`` is the one-line message."""

    summary = "request failed"

    def __init__(
        self,
        detail: str = "",
        *,
        environment: str | None = None,
        app_connector: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        host: str | None = None,
    ) -> None:
        self.environment = environment
        self.app_connector = app_connector
        self.method = method
        self.path = path
        self.status = status
        #: ``host:port`` tried (transport errors: which server did not answer)
        self.host = host
        self.detail = one_line(detail) if detail else ""
        super().__init__(self._compose())

    @property
    def where(self) -> str:
        who = "/".join(x for x in (self.environment, self.app_connector) if x)
        req = " ".join(x for x in (self.method, self.path) if x)
        return ": ".join(x for x in (who, req) if x)

    def _compose(self) -> str:
        sep = " " if self.detail.startswith("(") else ": "
        summary = f"{self.summary} at {self.host}" if self.host else self.summary
        what = summary if not self.detail else f"{summary}{sep}{self.detail}"
        return one_line(f"{self.where}: {what}" if self.where else what, limit=MAX_MESSAGE_CHARS + 200)


class TransportError(ProfitError):
    summary = "cannot reach AFAS Profit"


class TLSError(TransportError):
    summary = "TLS failed (certificate verification or handshake)"


class TimeoutError_(TransportError):  # avoids shadowing the builtin TimeoutError
    summary = "timed out"


class HTTPStatusError(ProfitError):
    summary = "unexpected HTTP status"


class AuthenticationError(HTTPStatusError):
    summary = "401 Unauthorized: the credentials were refused"


class IPRestrictedError(HTTPStatusError):
    summary = "403 Forbidden: the App Connector's IP restriction does not allow this host"


class NotFoundError(HTTPStatusError):
    summary = "404 Not Found: unknown URL (or a query string over 2,049 characters)"


class RequestTooLargeError(HTTPStatusError):
    summary = "413 Request Entity Too Large"


class ProfitServerError(HTTPStatusError):
    """HTTP 500 with AFAS's error body ``{"externalMessage", "errorNumber", "profitLogReference"}``."""

    summary = "500 Internal Server Error"

    def __init__(
        self,
        detail: str = "",
        *,
        external_message: str | None = None,
        error_number: int | None = None,
        profit_log_reference: str | None = None,
        **kw: object,
    ) -> None:
        self.external_message = one_line(external_message) if external_message else None
        self.error_number = error_number
        self.profit_log_reference = profit_log_reference
        parts = []
        if self.external_message:
            parts.append(self.external_message)
        refs = []
        if error_number is not None:
            refs.append(f"errorNumber {error_number}")
        if profit_log_reference:
            refs.append(f"profitLogReference {profit_log_reference}")
        if refs:
            parts.append(f"({', '.join(refs)})")
        if detail:
            parts.append(detail)
        super().__init__(" ".join(parts), **kw)  # type: ignore[arg-type]


class ServiceUnavailableError(HTTPStatusError):
    """HTTP 503 (maintenance) after the retries; ``retry_after`` in seconds if AFAS said so."""

    summary = "503 Service Unavailable (maintenance?)"

    def __init__(self, detail: str = "", *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        if retry_after is not None:
            detail = f"{detail} retry after {retry_after:g} s".strip()
        super().__init__(detail, **kw)  # type: ignore[arg-type]


class OAuthError(ProfitError):
    """The token endpoint refused the client-credentials request (RFC 6749 §5.2)."""

    summary = "OAuth token request refused"

    def __init__(
        self, detail: str = "", *, error: str | None = None, description: str | None = None, **kw: object
    ) -> None:
        self.error = error
        self.description = one_line(description) if description else None
        text = " ".join(
            x for x in (error, f"({self.description})" if self.description else None, detail) if x
        )
        super().__init__(text, **kw)  # type: ignore[arg-type]


class InvalidClientError(OAuthError):
    summary = (
        "OAuth invalid_client: unknown client id or failed client authentication "
        "(check client_id, the secret or key, and method)"
    )


class InvalidRequestError(OAuthError):
    summary = "OAuth invalid_request: the token request was malformed (missing or duplicate parameters)"


class BadResponseError(ProfitError):
    summary = "unexpected response"


class HTMLResponseError(BadResponseError):
    summary = "got an HTML page instead of JSON (a proxy, login or error page?)"


class InvalidJSONError(BadResponseError):
    summary = "invalid JSON"


class ResponseTooLargeError(BadResponseError):
    summary = "response too large"


class RedirectError(ProfitError):
    summary = "redirected (redirects are never followed; check base_url)"


__all__ = [
    "AuthenticationError",
    "BadResponseError",
    "HTMLResponseError",
    "HTTPStatusError",
    "IPRestrictedError",
    "InvalidClientError",
    "InvalidJSONError",
    "InvalidRequestError",
    "NotFoundError",
    "OAuthError",
    "ProfitError",
    "ProfitServerError",
    "RedirectError",
    "RequestTooLargeError",
    "ResponseTooLargeError",
    "ServiceUnavailableError",
    "TLSError",
    "TimeoutError_",
    "TransportError",
    "one_line",
]
