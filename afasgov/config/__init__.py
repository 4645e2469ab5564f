"""Configuration: ``afasgov.yaml`` (DESIGN §2; the reference is docs/configuration.md).

>>> from afasgov.config import load_config
>>> config = load_config(None)              # doctest: +SKIP  (found upwards from the cwd)
>>> env = config.environment("production")  # doctest: +SKIP
>>> env.base_url                            # doctest: +SKIP
'https://12345.rest.afas.online/ProfitRestServices'
"""

from __future__ import annotations

from afasgov.config.loader import CONFIG_NAME, find_config, load_config, parse_config
from afasgov.config.model import (
    DEFAULT_LANGUAGE,
    JWT_ALGS,
    MAX_IN_FLIGHT,
    OAUTH_METHODS,
    AppConnectorConfig,
    AuthConfig,
    Config,
    EnvironmentConfig,
)
from afasgov.config.sources import SecretSource, git_state, is_tracked_by_git
from afasgov.config.yamlio import read_yaml_file, safe_load_yaml

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_LANGUAGE",
    "JWT_ALGS",
    "MAX_IN_FLIGHT",
    "OAUTH_METHODS",
    "AppConnectorConfig",
    "AuthConfig",
    "Config",
    "EnvironmentConfig",
    "SecretSource",
    "find_config",
    "git_state",
    "is_tracked_by_git",
    "load_config",
    "parse_config",
    "read_yaml_file",
    "safe_load_yaml",
]
