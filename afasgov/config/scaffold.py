"""``afasgov init [DIR]``: scaffold a governance repository.

Writes:

* ``afasgov.yaml`` — a commented configuration template (App Connectors on OAuth, classic tokens
  shown as the legacy option; secrets come from environment variables or files outside the
  repository, never from this file);
* ``definitions/`` with ``integrations/`` holding one *disabled* example integration manifest
  (``example.yaml.sample``: only ``*.yaml`` files are manifests, so a fresh scaffold never changes a
  verdict) and ``definitions/waivers.yaml`` (empty register of accepted findings, with a commented
  example);
* ``reports/`` (where ``afasgov release-check`` writes its reports and ``index.html``);
* ``.gitattributes`` with ``*.gcn binary`` (so git never re-encodes GetConnector exports).

Existing files are never overwritten: each one is reported as kept. The one exception is
``.gitattributes``, to which the ``*.gcn binary`` line is appended when it is missing (the rest
of the file is left alone). Every file is written atomically (temporary file, then rename).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from afasgov._files import atomic_write_text, read_input
from afasgov.errors import InputError

CONFIG_TEMPLATE = """\
# afasgov configuration (docs/configuration.md). Found in the current directory or its parents;
# `afasgov --config PATH` overrides. Paths below are relative to this file.
#
# Secrets are NEVER written in this file. They come from environment variables (`*_env`), from
# files outside the repository (`*_file`; refused if tracked by git or readable by others), or
# optionally the OS keyring.

definitions_dir: definitions                  # snapshots and definitions (version-controlled)
reports_dir: reports                          # generated reports + reports/index.html
integrations_dir: definitions/integrations    # integration manifests (<name>.yaml)
waivers: definitions/waivers.yaml             # accepted findings

environments:
  # One entry per AFAS Profit environment; names are free (e.g. acme-production for a fleet).
  production:
    tenant: "12345"                 # FILL IN: your environment number
    type: production                # production | test | accept
    # base_url: null                # optional override; http:// only for loopback hosts
    # integration_id: null          # optional IntegrationId header (partners: <subscription>_<project>)
    app_connectors:
      governance:                   # a read-only App Connector for afasgov itself
        # OAuth client credentials; FILL IN the client id Profit shows for the App Connector
        auth: {type: oauth, client_id: "FILL-IN", method: client_secret_post,
               client_secret_env: AFAS_PRODUCTION_CLIENT_SECRET}
        # From Profit 9, a key pair instead of a shared secret (recommended):
        # auth: {type: oauth, client_id: "FILL-IN", method: private_key_jwt,
        #        private_key_file: ~/.afasgov/production.pem, alg: ES256}
        # Legacy: a classic token (expires 2027-05-01; classic App Connectors stop working after
        # 2027-08-31, and afasgov's audit reports them as AC029):
        # auth: {type: classic, token_env: AFAS_PRODUCTION_TOKEN}
  accept:
    tenant: "12345"                 # FILL IN: the same environment number
    type: accept
    app_connectors:
      governance:
        auth: {type: oauth, client_id: "FILL-IN", method: client_secret_post,
               client_secret_env: AFAS_ACCEPT_CLIENT_SECRET}
  # test:
  #   tenant: "12345"
  #   type: test
  #   app_connectors:
  #     governance:
  #       auth: {type: oauth, client_id: "FILL-IN", method: client_secret_post,
  #              client_secret_env: AFAS_TEST_CLIENT_SECRET}
"""

#: where the example manifest goes: not ``*.yaml``, so it is not a manifest until a user copies it
EXAMPLE_MANIFEST_NAME = "definitions/integrations/example.yaml.sample"

EXAMPLE_MANIFEST = """\
# An example integration manifest (docs/integrations.md). It is DISABLED: only `*.yaml` files in
# this directory are manifests. Copy it once per integration, to <name>.yaml, and fill it in
# (`name:` must equal the file name):
#
#   cp definitions/integrations/example.yaml.sample definitions/integrations/hr-sync.yaml
#
# A manifest says what one integration uses, so that a diff can say which integration a change
# breaks and the audit can check App Connector scopes against it. While a manifest exists, a
# breaking change that no manifest uses is downgraded to WARN: list everything an integration
# reads and writes. Recorded payloads of its UpdateConnector calls go in
# definitions/integrations/<name>/payloads/ (JSON or XML); `afasgov release-check` validates them
# against accept.
name: example
owner: integrations@example.org
description: Example - replace with your integration (e.g. an HR sync to the identity system).
app_connector:                      # the App Connector it uses, per environment
  production: governance
  accept: governance
uses:
  get:
    Profit_Employees: [EmployeeId, FirstName, LastName]     # output field ids, or "*"
  update:
    KnEmployee:                                             # field paths (docs/diff.md), or "*"
      - KnEmployee/Element/Objects/KnPerson/Element/Fields/EmAd
justifications: {}                  # privacy-sensitive fields: field path -> purpose / legal basis
"""

WAIVERS_TEMPLATE = """\
# Accepted findings (docs/waivers.md). Waived findings are shown as waived and never fail a run;
# expired waivers stop applying and are themselves reported.
#
# waivers:
#   - fingerprint: "sha256:…"          # from the JSON report (or: id + path pattern)
#     # id: request-property-removed
#     # path: "KnEmployee/Element/Fields/*"
#     reason: Field no longer used since the HR sync v4 rollout
#     owner: jane.doe@example.org
#     expires: 2026-12-31
waivers: []
"""

#: what ``afasgov init`` asks the user to fill in, once the files exist
NEXT_STEPS = (
    "next:",
    "  1. afasgov.yaml: your environment number (tenant) per environment, and per App Connector its",
    "     client_id; export the secrets it names (AFAS_PRODUCTION_CLIENT_SECRET, AFAS_ACCEPT_CLIENT_SECRET)",
    "     or point *_file at owner-only files outside the repository",
    "  2. definitions/integrations/: one manifest per integration (copy example.yaml.sample to <name>.yaml);",
    "     until then diffs report every breaking change as ERR",
    "  3. run `afasgov check`, `afasgov snapshot --all`, then `afasgov release-check`",
)

GITATTRIBUTES_LINE = "*.gcn binary"
GITATTRIBUTES_TEMPLATE = f"""\
# GetConnector exports are binary: never let git re-encode them (afasgov gcn would see U+FFFD).
{GITATTRIBUTES_LINE}
"""

REPORTS_README = """\
# reports

Generated by `afasgov release-check` (and other commands with `--output`):
`<YYYY-MM-DD>T<HHMMSS>Z-<kind>-<scope>.{html,md,json,xml,sarif}` plus `index.html`, which lists every
run newest first (`afasgov report index` rebuilds it). Keep them: they are the evidence that the
checks ran.
"""


@dataclass
class InitResult:
    """What :func:`scaffold` did, path by path (relative to the target directory)."""

    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"created {p}" for p in self.created]
        out += [f"updated {p}" for p in self.updated]
        out += [f"exists, kept {p}" for p in self.kept]
        return out


def scaffold(root: Path, *, example_manifest: bool = True, config: bool = True) -> InitResult:
    """Create the governance repository layout in ``root`` (created if missing); never overwrite.

    ``example_manifest=False`` skips the example integration manifest (the demo brings its own);
    ``config=False`` skips ``afasgov.yaml`` (the demo writes one pointing at the simulator).
    """
    if root.exists() and not root.is_dir():
        raise InputError("exists and is not a directory", source=str(root))
    result = InitResult(root=root)
    root.mkdir(parents=True, exist_ok=True)

    files: list[tuple[str, str]] = []
    if config:
        files.append(("afasgov.yaml", CONFIG_TEMPLATE))
    files.append(("definitions/waivers.yaml", WAIVERS_TEMPLATE))
    if example_manifest:
        files.append((EXAMPLE_MANIFEST_NAME, EXAMPLE_MANIFEST))
    files.append(("reports/README.md", REPORTS_README))

    for rel in ("definitions", "definitions/integrations", "reports"):
        directory = root / rel
        if directory.exists() and not directory.is_dir():
            raise InputError("exists and is not a directory", source=str(directory))
        directory.mkdir(parents=True, exist_ok=True)

    for rel, content in files:
        target = root / rel
        if target.exists() or target.is_symlink():
            result.kept.append(rel)
            continue
        atomic_write_text(target, content)
        result.created.append(rel)

    _ensure_gitattributes(root / ".gitattributes", result)
    return result


def _ensure_gitattributes(path: Path, result: InitResult) -> None:
    if not path.exists():
        atomic_write_text(path, GITATTRIBUTES_TEMPLATE)
        result.created.append(".gitattributes")
        return
    if not path.is_file():
        raise InputError("exists and is not a file", source=str(path))
    text = read_input(path, max_bytes=1024 * 1024).decode("utf-8", errors="replace")
    if any(line.split() == GITATTRIBUTES_LINE.split() for line in text.splitlines()):
        result.kept.append(".gitattributes")
        return
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(path, text + GITATTRIBUTES_LINE + "\n")
    result.updated.append(".gitattributes (added '*.gcn binary')")


__all__ = ["CONFIG_TEMPLATE", "EXAMPLE_MANIFEST", "EXAMPLE_MANIFEST_NAME", "NEXT_STEPS", "InitResult", "scaffold"]
