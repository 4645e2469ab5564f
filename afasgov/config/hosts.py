"""Where AFAS Profit lives: environment types, the documented REST host names and base URLs, host checks.

Configuration (:mod:`afasgov.config`) validates ``base_url`` against these facts; the client
(:mod:`afasgov.profit.urls`) builds its URLs on them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

ENVIRONMENT_TYPES: tuple[str, ...] = ("production", "test", "accept", "training")

HOST_LABELS: Mapping[str, str] = {
    "production": "rest",
    "test": "resttest",
    "accept": "restaccept",
    "training": "restcursus",
}

#: first letter of ``info.envid`` per environment type (``O12345AA``, ``T…``, ``A…``) [guess for training].
ENVID_PREFIX: Mapping[str, str] = {"production": "O", "test": "T", "accept": "A"}

BASE_PATH = "/ProfitRestServices"
AFAS_DOMAIN_SUFFIX = ".afas.online"
#: the exact host names AFAS uses for REST (checklist AC031).
AFAS_REST_HOST_RE = re.compile(r"^\d{5,6}\.(rest|resttest|restaccept|restcursus)\.afas\.online$")


def base_url_for(tenant: str, env_type: str) -> str:
    """The documented base URL of a tenant's environment, e.g. ``https://12345.rest.afas.online/…``."""
    if env_type not in HOST_LABELS:
        expected = ", ".join(ENVIRONMENT_TYPES)
        raise ValueError(f"unknown environment type {env_type!r}; expected one of {expected}")
    if not tenant.isascii() or not tenant.isdigit():
        raise ValueError(f"tenant must be digits, got {tenant!r}")
    return f"https://{tenant}.{HOST_LABELS[env_type]}{AFAS_DOMAIN_SUFFIX}{BASE_PATH}"


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_afas_host(host: str) -> bool:
    """True for any ``*.afas.online`` host name (the opt-in rule); see :data:`AFAS_REST_HOST_RE`."""
    host = host.lower().rstrip(".")
    return host.endswith(AFAS_DOMAIN_SUFFIX) and len(host) > len(AFAS_DOMAIN_SUFFIX)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


__all__ = [
    "AFAS_DOMAIN_SUFFIX",
    "AFAS_REST_HOST_RE",
    "BASE_PATH",
    "ENVID_PREFIX",
    "ENVIRONMENT_TYPES",
    "HOST_LABELS",
    "base_url_for",
    "host_of",
    "is_afas_host",
    "is_loopback_host",
]
