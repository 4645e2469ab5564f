"""Build the connector catalogue from AFAS's published OpenAPI specifications.

Input: a corpus directory holding ``afas-openapi/en/*.json`` and ``afas-openapi/nl/*.json`` (AFAS's
specs, one file per module, from AFASSoftware/OASContent ``OpenApiSpecs/profit/``). Output: one
JSON document of facts (names, modules, root elements, HTTP methods) with provenance. Nothing else
of the specs is kept: no descriptions, no examples, no schemas.

What is read, per spec file (a *module*):

* the module's display name: ``info.title`` without ``AFAS`` and ``API`` (``AFAS Financiële
  Inrichting API`` → ``Financiële Inrichting``: the name AFAS's release notes head a module with,
  ``## <Module> Specification``);
* UpdateConnectors: ``/connectors/{Name}`` with ``post`` and/or ``put``; ``/connectors/{Name}/{Root}/
  @K1,@K2/{K1},{K2}`` with ``delete`` (the connector offers DELETE, by those key fields);
  ``/connectors/{Name}/{Object}`` with ``post`` (a nested object that can be POSTed on its own);
  the payload root element is the single property of the request schema (``{Name}_POST`` /
  ``{Name}_PUT``), which is also the second segment of the DELETE path;
* GetConnectors: ``/connectors/{Name}`` offering ``get`` only.

The Dutch specs must agree with the English ones on every fact read (modules, paths, methods,
roots); a disagreement is an error. Everything here is deterministic: the same inputs give the same
bytes (:func:`render`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afasgov.errors import InputError

FORMAT = 1
REPOSITORY = "AFASSoftware/OASContent"
SOURCE_PATH = "OpenApiSpecs/profit/"
LANGUAGES = ("en", "nl")
OPERATIONS = ("POST", "PUT", "DELETE")
#: spec files are a few MB each; refuse anything absurd rather than read it.
MAX_SPEC_BYTES = 64 * 1024 * 1024
_TITLE = re.compile(r"^AFAS (?P<name>.+) API$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KEYS = re.compile(r"^@[A-Za-z0-9_]+(,@[A-Za-z0-9_]+)*$")


@dataclass
class _Update:
    modules: list[str] = field(default_factory=list)
    roots: dict[str, set[str]] = field(default_factory=dict)  # root → where it was seen
    operations: set[str] = field(default_factory=set)
    delete_keys: set[tuple[str, ...]] = field(default_factory=set)
    subrecords: set[str] = field(default_factory=set)


@dataclass
class _Facts:
    """What one language's specs say (compared between en and nl)."""

    modules: dict[str, str] = field(default_factory=dict)  # spec file → display name
    updates: dict[str, _Update] = field(default_factory=dict)
    gets: dict[str, list[str]] = field(default_factory=dict)
    versions: set[str] = field(default_factory=set)

    def comparable(self) -> Any:
        return (
            self.modules,
            {
                k: (sorted(v.modules), sorted(v.roots), sorted(v.operations), sorted(v.delete_keys),
                    sorted(v.subrecords))
                for k, v in self.updates.items()
            },
            {k: sorted(v) for k, v in self.gets.items()},
        )


def _read_spec(path: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise InputError(f"spec too large ({size} bytes; limit {MAX_SPEC_BYTES})", source=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a JSON OpenAPI document: {exc}", source=str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise InputError("not an OpenAPI document (no 'paths')", source=str(path))
    return data, doc


def _module_name(doc: dict[str, Any], path: Path) -> str:
    title = doc.get("info", {}).get("title") if isinstance(doc.get("info"), dict) else None
    m = _TITLE.match(title) if isinstance(title, str) else None
    if m is None:
        raise InputError(f"info.title {title!r} is not 'AFAS <Module> API'", source=str(path))
    return m.group("name")


def _schema_root(doc: dict[str, Any], op: dict[str, Any], where: str) -> str | None:
    body = op.get("requestBody")
    if not isinstance(body, dict):
        return None
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        schema = doc.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1])
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict) or len(props) != 1:
        raise InputError(f"{where}: the request schema does not have exactly one root property")
    root = str(next(iter(props)))
    if not _NAME.match(root):
        raise InputError(f"{where}: root element {root!r} is not a name")
    return root


def _read_language(spec_dir: Path) -> tuple[_Facts, dict[str, bytes]]:
    files = sorted(spec_dir.glob("*.json"))
    if not files:
        raise InputError("no *.json specs", source=str(spec_dir))
    facts = _Facts()
    raw: dict[str, bytes] = {}
    for path in files:
        data, doc = _read_spec(path)
        raw[path.name] = data
        module = _module_name(doc, path)
        facts.modules[path.name] = module
        version = doc["info"].get("version")
        if isinstance(version, str) and version:
            facts.versions.add(version)
        for url, item in doc["paths"].items():
            segs = url.strip("/").split("/")
            if len(segs) < 2 or segs[0] != "connectors" or segs[1] == "{Endpoint}" or not isinstance(item, dict):
                continue
            name = segs[1]
            where = f"{path.name}: {url}"
            if not _NAME.match(name):
                raise InputError(f"{where}: connector name {name!r} is not a name")
            methods = {m.upper(): op for m, op in item.items() if m != "parameters" and isinstance(op, dict)}
            if len(segs) == 2 and set(methods) == {"GET"}:
                mods = facts.gets.setdefault(name, [])
                if module not in mods:
                    mods.append(module)
                continue
            if "GET" in methods:
                raise InputError(f"{where}: GET next to update operations")
            u = facts.updates.setdefault(name, _Update())
            if module not in u.modules:
                u.modules.append(module)
            if len(segs) == 2:
                for method, op in methods.items():
                    if method not in ("POST", "PUT"):
                        raise InputError(f"{where}: unexpected method {method}")
                    u.operations.add(method)
                    root = _schema_root(doc, op, f"{where} {method}")
                    if root is not None:
                        u.roots.setdefault(root, set()).add(f"{method} schema")
            elif len(segs) == 3 and set(methods) == {"POST"}:
                u.subrecords.add(segs[2])
            elif len(segs) == 5 and set(methods) == {"DELETE"} and _KEYS.match(segs[3]):
                u.operations.add("DELETE")
                u.roots.setdefault(segs[2], set()).add("DELETE path")
                u.delete_keys.add(tuple(k[1:] for k in segs[3].split(",")))
            else:
                raise InputError(f"{where}: path shape not understood ({', '.join(sorted(methods))})")
    return facts, raw


def _provenance_from_readme(corpus: Path) -> tuple[str | None, str | None]:
    """The commit and date the corpus README gives for ``afas-openapi`` (``None`` when it gives none)."""
    try:
        text = (corpus / "README.md").read_text(encoding="utf-8")
    except OSError:
        return None, None
    m = re.search(r"^## `afas-openapi[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    section = m.group(1) if m else ""
    commit = re.search(r"\bcommit ([0-9a-f]{7,40})\b", section)
    date = re.search(r"\b(\d{4}-\d{2}-\d{2})\b", section)
    return (commit.group(1) if commit else None), (date.group(1) if date else None)


def build(corpus: Path) -> dict[str, Any]:
    """The catalogue document built from ``corpus`` (:class:`InputError` when the specs are missing,
    malformed, or the languages disagree)."""
    corpus = Path(corpus)
    base = corpus / "afas-openapi"
    if not base.is_dir():
        raise InputError("no afas-openapi/ directory (the AFAS corpus)", source=str(corpus))
    per_lang = {lang: _read_language(base / lang) for lang in LANGUAGES}
    en = per_lang["en"][0]
    for lang in LANGUAGES[1:]:
        other, _ = per_lang[lang]
        if other.comparable() != en.comparable():
            raise InputError(f"the {lang} specs disagree with the en specs on connectors, modules or methods",
                             source=str(base / lang))
    inputs: dict[str, str] = {}
    for lang in LANGUAGES:
        for name, data in sorted(per_lang[lang][1].items()):
            inputs[f"{lang}/{name}"] = "sha256:" + hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256("".join(f"{k}\0{v}\n" for k, v in sorted(inputs.items())).encode()).hexdigest()
    commit, date = _provenance_from_readme(corpus)

    updates: dict[str, Any] = {}
    for name in sorted(en.updates):
        u = en.updates[name]
        if len(u.roots) != 1:
            seen = "; ".join(f"{r} ({', '.join(sorted(w))})" for r, w in sorted(u.roots.items()))
            raise InputError(f"UpdateConnector {name}: not exactly one payload root element: {seen or 'none'}")
        if len(u.delete_keys) > 1:
            raise InputError(f"UpdateConnector {name}: several DELETE paths")
        updates[name] = {
            "modules": sorted(u.modules, key=str.casefold),
            "root": next(iter(u.roots)),
            "operations": [op for op in OPERATIONS if op in u.operations],
            "delete_keys": list(next(iter(u.delete_keys))) if u.delete_keys else [],
            "subrecords": sorted(u.subrecords),
        }
    return {
        "format": FORMAT,
        "provenance": {
            "repository": REPOSITORY,
            "path": SOURCE_PATH,
            "spec_version": ", ".join(sorted(en.versions)) or None,
            "commit": commit,
            "date": date,
            "languages": list(LANGUAGES),
            "inputs_sha256": "sha256:" + digest,
            "inputs": inputs,
        },
        "modules": [
            {"name": mod, "spec": spec}
            for spec, mod in sorted(en.modules.items(), key=lambda kv: kv[1].casefold())
        ],
        "update_connectors": updates,
        "get_connectors": {
            name: {"modules": sorted(en.gets[name], key=str.casefold)} for name in sorted(en.gets)
        },
    }


def _one(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _expand(value: Any, depth: int) -> bool:
    if isinstance(value, list):
        return bool(value) and depth < 2
    if not isinstance(value, dict) or not value:
        return False
    return depth < 2 or all(isinstance(v, str) for v in value.values())


def _lines(value: Any, depth: int, prefix: str, end: str) -> list[str]:
    pad = " " * depth
    if not _expand(value, depth):
        return [f"{pad}{prefix}{_one(value)}{end}"]
    if isinstance(value, dict):
        items = sorted(value.items())
        out = [f"{pad}{prefix}{{"]
        for n, (k, v) in enumerate(items):
            out += _lines(v, depth + 1, f"{_one(k)}: ", "," if n < len(items) - 1 else "")
        return [*out, f"{pad}}}{end}"]
    out = [f"{pad}{prefix}["]
    for n, v in enumerate(value):
        out += _lines(v, depth + 1, "", "," if n < len(value) - 1 else "")
    return [*out, f"{pad}]{end}"]


def render(doc: dict[str, Any]) -> bytes:
    """The catalogue file's bytes: UTF-8 JSON, sorted keys, one connector (one input, one module) per
    line, so that ``git diff`` of a regeneration shows what AFAS changed."""
    return ("\n".join(_lines(doc, 0, "", "")) + "\n").encode("utf-8")
