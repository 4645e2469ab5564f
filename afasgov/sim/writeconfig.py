"""``afasgov sim --write-config FILE``: an ``afasgov.yaml`` that points at the running simulator.

Every environment of the dataset becomes an environment of the config (``base_url`` overridden
with the simulator's loopback URL), every App Connector an ``app_connectors`` entry. Secrets are
never written in the config (DESIGN §2): each demo credential goes into its own file in the
directory ``<config stem>.secrets/`` beside the config (directory mode 700, files mode 600) and is
referenced with ``token_file``, ``client_secret_file`` or ``private_key_file``. Files are written
to a temporary name and renamed, so a failure never leaves half a config.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from afasgov._files import atomic_write_text, read_input
from afasgov.errors import InputError, UsageError
from afasgov.secrets import Secret
from afasgov.sim import credentials as cred
from afasgov.sim.model import AppConnectorDef, Dataset, EnvironmentDef

HEADER = """\
# Written by `afasgov sim --write-config` for the simulator at {origin} (dataset {dataset}).
# The credentials in {secrets_dir}/ are documented DEMO values of the simulator, not real secrets.
"""


def family(dataset: Dataset) -> str:
    return "demo" if dataset.name == "demo" else "synthetic"


def credential(dataset: Dataset, env: EnvironmentDef, app: AppConnectorDef) -> cred.DemoCredential:
    """The demo credential of one App Connector (prefers OAuth when the connector has both)."""
    fam = family(dataset)
    if app.oauth is not None:
        method = app.preferred_method or app.oauth.methods[0]
        if method == "private_key_jwt":
            pem = cred.ec_private_key_pem(fam, env.slug, app.name).decode("ascii")
            return cred.DemoCredential(env.name, app.name, "oauth", method, app.oauth.client_id,
                                       private_key_pem=Secret(pem, name=f"{env.name}/{app.name} key"),
                                       alg=app.oauth.alg or "ES256", kid=app.oauth.kid)
        secret = app.oauth.secret or ""
        return cred.DemoCredential(env.name, app.name, "oauth", method, app.oauth.client_id,
                                   client_secret=Secret(secret, name=f"{env.name}/{app.name} secret"))
    xml = cred.token_xml(app.classic_token or "")
    return cred.DemoCredential(env.name, app.name, "classic", token=Secret(xml, name=f"{env.name}/{app.name}"))


def build_config(dataset: Dataset, origin: str, secrets_dir: str) -> tuple[dict[str, object], dict[str, str]]:
    """The config mapping and the secret files (relative name -> content) for ``dataset`` at ``origin``."""
    environments: dict[str, object] = {}
    files: dict[str, str] = {}
    for env in dataset.environments.values():
        apps: dict[str, object] = {}
        for app in env.app_connectors.values():
            c = credential(dataset, env, app)
            stem = f"{env.name}-{app.name}"
            auth: dict[str, object]
            if c.auth_type == "classic":
                assert c.token is not None
                files[f"{stem}.token"] = c.token.reveal() + "\n"
                auth = {"type": "classic", "token_file": f"{secrets_dir}/{stem}.token"}
            elif c.method == "private_key_jwt":
                assert c.private_key_pem is not None
                files[f"{stem}.pem"] = c.private_key_pem.reveal()
                auth = {"type": "oauth", "client_id": c.client_id, "method": c.method,
                        "private_key_file": f"{secrets_dir}/{stem}.pem", "alg": c.alg}
                if c.kid:
                    auth["kid"] = c.kid
            else:
                assert c.client_secret is not None
                files[f"{stem}.secret"] = c.client_secret.reveal() + "\n"
                auth = {"type": "oauth", "client_id": c.client_id, "method": c.method,
                        "client_secret_file": f"{secrets_dir}/{stem}.secret"}
            apps[app.name] = {"description": app.app_name, "auth": auth}
        environments[env.name] = {
            "tenant": env.tenant,
            "type": env.type,
            "base_url": f"{origin}/{env.slug}/ProfitRestServices",
            "allow_non_afas_host": True,  # the simulator on loopback (the config refuses it otherwise)
            "app_connectors": apps,
        }
    return {"environments": environments}, files


#: an afasgov.yaml written by sim is a few KiB
MAX_CONFIG_BYTES = 1024 * 1024
#: how a file written by :func:`write_config` starts: only such a file is overwritten without ``force``
OWN_MARK = b"# Written by `afasgov sim --write-config`"


def written_by_sim(path: Path) -> bool:
    """Whether ``path`` starts with the header :func:`write_config` writes (unreadable: no)."""
    try:
        return read_input(path, max_bytes=MAX_CONFIG_BYTES).startswith(OWN_MARK)
    except InputError:  # (a FIFO or a device is not a file sim wrote)
        return False


def _make_parent(path: Path, parent: Path) -> list[Path]:
    """Create ``parent`` and its missing ancestors (``mkdir -p``, as the README's ``/tmp/sim/…`` needs on a
    fresh machine); returns the directories created, deepest first, so that a failure can remove them."""
    if parent.is_dir():
        return []
    if parent.exists():
        raise UsageError(f"--write-config {path}: {parent} is not a directory")
    missing = [parent]
    for ancestor in parent.parents:
        if ancestor.is_dir():
            break
        if ancestor.exists():
            raise UsageError(f"--write-config {path}: {ancestor} is not a directory")
        missing.append(ancestor)
    created: list[Path] = []
    try:
        for directory in reversed(missing):
            directory.mkdir()
            created.insert(0, directory)
    except OSError as exc:
        _remove_empty(created)
        raise UsageError(f"--write-config {path}: cannot create {directory}: {exc.strerror or exc}") from None
    return created


def _remove_empty(directories: list[Path]) -> None:
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


def write_config(path: Path, dataset: Dataset, origin: str, *, force: bool = False) -> Path:
    """Write ``path`` (an afasgov.yaml) and ``<stem>.secrets/`` beside it; returns ``path``.

    An existing ``path`` is overwritten only when it was written by this function (it starts with
    :data:`OWN_MARK`) or with ``force``: never a project's own ``afasgov.yaml`` by accident."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UsageError(f"--write-config {path}: is a directory, expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not force and path.exists() and not written_by_sim(path):
        raise UsageError(
            f"--write-config {path}: {path} exists and was not written by afasgov sim; choose another "
            "path or pass --force"
        )
    created = _make_parent(path, parent)
    secrets_name = f"{path.stem}.secrets"
    secrets_dir = parent / secrets_name
    config, files = build_config(dataset, origin, secrets_name)
    try:
        secrets_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        for name, content in files.items():
            atomic_write_text(secrets_dir / name, content, mode=0o600)
        # keep the demo credentials out of any git repository the directory happens to be in
        atomic_write_text(secrets_dir / ".gitignore", "*\n", mode=0o600)
        text = HEADER.format(origin=origin, dataset=dataset.name, secrets_dir=secrets_name) + yaml.safe_dump(
            config, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
        atomic_write_text(path, text, mode=0o644)
    except OSError as exc:
        if created:
            shutil.rmtree(created[-1], ignore_errors=True)  # only directories this call created
        raise UsageError(f"--write-config {path}: cannot write: {exc.strerror or exc}") from None
    return path


FLEET_HEADER = """\
# Written by `afasgov sim --write-config` (--fleet) for the simulator at {origin} (dataset {dataset}).
# The fleet: {tenants} tenants in {tenants_file}; their DEMO credentials in {secrets_dir}/ (one directory,
# named by template). The simulator's OAuth client ids differ per environment: the tenants file sets them.
"""


def build_fleet_config(dataset: Dataset, origin: str, secrets_dir: str, tenants_file: str,
                       environments: tuple[str, ...] = ("production", "accept")
                       ) -> tuple[dict[str, object], dict[str, list[dict[str, object]]], dict[str, str]]:
    """``afasgov.yaml`` with a ``fleet:`` section, the tenants file, and the secret files, for a dataset made
    with ``tenants=K`` (environments ``{tenant}-{type}``)."""
    by_tenant: dict[str, dict[str, EnvironmentDef]] = {}
    for env in dataset.environments.values():
        by_tenant.setdefault(env.tenant, {})[env.type] = env
    files: dict[str, str] = {}
    tenants: list[dict[str, object]] = []
    auth: dict[str, dict[str, object]] = {}
    for tenant, envs in by_tenant.items():
        entry: dict[str, object] = {"id": tenant, "name": f"Synthetic customer {tenant}", "tags": ["synthetic"]}
        client_ids: dict[str, dict[str, str]] = {}
        for env_type in environments:
            env = envs[env_type]
            for app in env.app_connectors.values():
                c = credential(dataset, env, app)
                stem = f"{tenant}-{env_type}-{app.name}"
                if c.auth_type == "classic":
                    assert c.token is not None
                    files[f"{stem}.token"] = c.token.reveal() + "\n"
                    token_file = f"{secrets_dir}/{{tenant}}-{{env}}-{{app}}.token"
                    auth[app.name] = {"type": "classic", "token_file": token_file}
                elif c.method != "private_key_jwt":
                    assert c.client_secret is not None
                    files[f"{stem}.secret"] = c.client_secret.reveal() + "\n"
                    auth[app.name] = {"type": "oauth", "method": c.method, "client_id": "set-per-tenant",
                                      "client_secret_file": f"{secrets_dir}/{{tenant}}-{{env}}-{{app}}.secret"}
                    client_ids.setdefault(app.name, {})[env_type] = c.client_id or ""
        if client_ids:
            entry["auth"] = {app: {"client_id": ids} for app, ids in client_ids.items()}
        tenants.append(entry)
    config: dict[str, object] = {"fleet": {
        "tenants": tenants_file,
        "environments": list(environments),
        "base_url": f"{origin}/{{tenant}}-{{env}}/ProfitRestServices",
        "allow_non_afas_host": True,
        "auth": auth,
    }}
    return config, {"tenants": tenants}, files


def write_fleet_config(path: Path, dataset: Dataset, origin: str, *, force: bool = False) -> Path:
    """Write ``path`` (an afasgov.yaml with ``fleet:``), ``fleet/tenants.yaml`` and ``<stem>.secrets/``."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UsageError(f"--write-config {path}: is a directory, expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not force and path.exists() and not written_by_sim(path):
        raise UsageError(f"--write-config {path}: {path} exists and was not written by afasgov sim; choose another "
                         "path or pass --force")
    _make_parent(path, parent)
    secrets_name = f"{path.stem}.secrets"
    tenants_rel = "fleet/tenants.yaml"
    config, tenants, files = build_fleet_config(dataset, origin, secrets_name, tenants_rel)
    try:
        secrets_dir = parent / secrets_name
        secrets_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        for name, content in files.items():
            atomic_write_text(secrets_dir / name, content, mode=0o600)
        atomic_write_text(secrets_dir / ".gitignore", "*\n", mode=0o600)
        (parent / "fleet").mkdir(exist_ok=True)
        atomic_write_text(parent / tenants_rel, yaml.safe_dump(tenants, sort_keys=False, width=120), mode=0o644)
        header = FLEET_HEADER.format(origin=origin, dataset=dataset.name, tenants=len(tenants["tenants"]),
                                     tenants_file=tenants_rel, secrets_dir=secrets_name)
        atomic_write_text(path, header + yaml.safe_dump(config, sort_keys=False, width=120), mode=0o644)
    except OSError as exc:
        raise UsageError(f"--write-config {path}: cannot write: {exc.strerror or exc}") from None
    return path
