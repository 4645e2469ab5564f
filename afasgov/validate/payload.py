"""Parse UpdateConnector payloads in both forms AFAS accepts, into one tree.

JSON::

    {"KnUser": {"Element": {"@UsId": "jdoe", "Fields": {"MtCd": 1, …},
                            "Objects": [{"KnUserGroup": {"Element": [{"Fields": {…}}]}}]}}}

XML::

    <KnUser><Element UsId="jdoe"><Fields Action="insert"><MtCd>1</MtCd>…</Fields>
      <Objects><KnUserGroup><Element><Fields>…</Fields></Element></KnUserGroup></Objects>
    </Element></KnUser>

``Element`` may be one element or a list (JSON) / repeated (XML); ``Objects`` a mapping or a list of
one-key mappings (JSON). ``@Key`` entries (JSON) and ``Element`` attributes (XML) are key fields.

The JSON forms AFAS's own request examples use are read as AFAS writes them (``docs/validate.md``
gives the evidence for each): ``"@Action"`` inside ``Fields`` is the JSON form of XML's
``<Fields Action="…">``; ``""`` or ``null`` for ``Fields``, ``Objects``, ``Element`` or one object
means "none"; a list of values for one field is read as that field given several times (the checks
say so); any other ``@Key`` inside ``Fields`` is kept as a key field and marked as misplaced.

XML is parsed safely with lxml: no DTD (a ``<!DOCTYPE`` or ``<!ENTITY`` is refused outright, which
stops entity-expansion bombs), no entity resolution, no network, no huge trees. Syntax errors and
inputs that are neither JSON nor XML are :class:`InputError` (exit 2); a payload of the wrong shape
is reported as ``payload-malformed`` findings by the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from afasgov import jsonsafe
from afasgov.errors import InputError

MAX_BYTES = 20 * 1024 * 1024
#: XML caps (a real payload has a handful of key attributes and well under 10,000 elements); lxml's
#: ``attrib`` access is quadratic in the number of attributes, so the cap comes before it
MAX_XML_ATTRIBUTES = 256
MAX_XML_ELEMENTS = 200_000
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_BARE = "the payload starts with Element, not with its connector: say which connector it is for with --connector"

Scalar = str | int | float | bool | None


@dataclass(slots=True)
class PayloadValue:
    name: str
    value: Scalar
    line: int = 0
    is_key: bool = False
    #: how the value was written when not plainly: ``"list"`` (one item of a JSON list of values),
    #: ``"@fields"`` (a ``"@Key"`` inside ``Fields`` rather than on the ``Element``).
    form: str = ""


@dataclass
class PayloadElement:
    """One ``Element`` of a connector or nested object."""

    object_path: tuple[str, ...]
    values: list[PayloadValue] = field(default_factory=list)
    objects: list[PayloadElement] = field(default_factory=list)
    action: str | None = None
    line: int = 0
    #: shape problems found while reading (reported as ``payload-malformed``).
    problems: list[str] = field(default_factory=list)
    #: shapes AFAS's own examples use but AFAS does not document, read as meant (``payload-shape-variant``).
    variants: list[str] = field(default_factory=list)


@dataclass
class Payload:
    connector: str
    elements: list[PayloadElement]
    form: str  # "json" | "xml"
    problems: list[str] = field(default_factory=list)


def detect(data: bytes) -> str:
    """``json`` or ``xml`` by the first significant character; :class:`InputError` otherwise."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        return "xml"
    raise InputError("payload is neither JSON nor XML (expected '{' or '<' at the start)")


# ---------------------------------------------------------------------------------------- JSON
def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            out.setdefault("\0duplicates", []).append(k)
        out[k] = v
    return out


def _empty(value: Any) -> bool:
    """``""`` and ``null``: how AFAS's own examples write "no fields / no objects / no element"."""
    return value is None or value == ""


def _json_elements(
    raw: Any, path: tuple[str, ...], where: str, problems: list[str], variants: list[str] | None = None
) -> list[PayloadElement]:
    if _empty(raw):
        return []
    if isinstance(raw, list) and variants is not None and raw and all(isinstance(r, dict) for r in raw):
        variants.append(f'{where}: a list of {{"Element": …}} blocks; read as all their elements')
        return [e for r in raw for e in _json_elements(r, path, where, problems)]
    if not isinstance(raw, dict) or "Element" not in raw:
        problems.append(f'{where}: expected {{"Element": …}}')
        return []
    extra = sorted(k for k in raw if k not in ("Element", "\0duplicates"))
    if extra:
        problems.append(f"{where}: unexpected key(s) {', '.join(extra)} next to 'Element'")
    elements = raw["Element"] if isinstance(raw["Element"], list) else [raw["Element"]]
    return [_json_element(e, path, f"{where}/Element", problems) for e in elements if not _empty(e)]


def _json_fields(value: Any, where: str, el: PayloadElement) -> None:
    if _empty(value):
        return
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        el.variants.append(f"{where}: a list of one object; read as that object")
        value = value[0]
    if not isinstance(value, dict):
        el.problems.append(f"{where}: must be an object of field → value")
        return
    for dup in value.get("\0duplicates", []):
        el.values.append(PayloadValue(dup, value[dup]))  # reported as given twice by the checks
    for name, v in value.items():
        if name == "\0duplicates":
            continue
        if name == "@Action":
            if isinstance(v, str):
                el.action = v.lower()
            else:
                el.problems.append(f"{where}/@Action: must be insert, update or delete")
            continue
        key, form = (name[1:], "@fields") if name.startswith("@") else (name, "")
        if isinstance(v, list):
            for item in v:
                el.values.append(PayloadValue(key, _scalar(item, f"{where}/{name}", el), is_key=bool(form),
                                              form="list"))
            continue
        el.values.append(PayloadValue(key, _scalar(v, f"{where}/{name}", el), is_key=bool(form), form=form))


def _json_element(raw: Any, path: tuple[str, ...], where: str, problems: list[str]) -> PayloadElement:
    el = PayloadElement(path)
    if not isinstance(raw, dict):
        el.problems.append(f"{where}: an Element must be an object")
        return el
    for dup in raw.get("\0duplicates", []):
        el.problems.append(f"{where}: duplicate key {dup!r}")
    for key, value in raw.items():
        if key == "\0duplicates":
            continue
        if key.startswith("@"):
            el.values.append(PayloadValue(key[1:], _scalar(value, f"{where}/{key}", el), is_key=True))
        elif key == "Fields":
            _json_fields(value, f"{where}/Fields", el)
        elif key == "Objects":
            if _empty(value):
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                if _empty(item):
                    continue
                if not isinstance(item, dict):
                    el.problems.append(f'{where}/Objects: expected {{"<Object>": {{"Element": …}}}}')
                    continue
                for name, body in item.items():
                    if name == "\0duplicates":
                        continue
                    el.objects.extend(
                        _json_elements(body, (*path, name), f"{where}/Objects/{name}", el.problems, el.variants)
                    )
        elif key.startswith("#"):
            el.values.append(PayloadValue(key, None))  # "#text": an XML-to-JSON leftover (payload-stray-key)
        else:
            el.problems.append(f"{where}: unexpected key {key!r} (expected Fields, Objects or @Key)")
    return el


def _scalar(value: Any, where: str, el: PayloadElement) -> Scalar:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    el.problems.append(f"{where}: a field value must be a string, number, boolean or null")
    return None


def parse_json(data: bytes, source: str, connector: str | None = None) -> Payload:
    # (afasgov.jsonsafe: one line for bad UTF-8, syntax, huge integers, lone surrogates, deep nesting)
    raw = jsonsafe.loads(data, source, max_bytes=MAX_BYTES, object_pairs_hook=_pairs)
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise InputError('a JSON payload must be an object {"<Connector>": {"Element": …}}', source=source)
    for dup in raw.get("\0duplicates", []):
        problems.append(f"duplicate key {dup!r}")
    raw.pop("\0duplicates", None)
    if "Element" in raw and not connector:
        raise InputError(_BARE, source=source)
    if "Element" in raw and connector:  # the bare form: {"Element": …} with --connector
        return Payload(connector, _json_elements(raw, (connector,), connector, problems), "json", problems)
    if len(raw) != 1:
        raise InputError(
            f"a JSON payload must have exactly one connector at the top, found {len(raw)} keys", source=source
        )
    name, body = next(iter(raw.items()))
    return Payload(name, _json_elements(body, (name,), name, problems), "json", problems)


# ----------------------------------------------------------------------------------------- XML
def _local(el: Any) -> str:
    return str(etree.QName(el).localname)


def _xml_element(node: Any, path: tuple[str, ...], where: str) -> PayloadElement:
    line = node.sourceline or 0
    el = PayloadElement(path, line=line)
    for attr, attr_value in node.attrib.items():  # (at most MAX_XML_ATTRIBUTES: checked by parse_xml)
        name = etree.QName(attr).localname
        el.values.append(PayloadValue(name, attr_value, line=line, is_key=True))
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        tag = _local(child)
        if tag == "Fields":
            action = child.get("Action")
            if action is not None:
                el.action = action.lower()
            for f in child:
                if not isinstance(f.tag, str):
                    continue
                if len(f):
                    el.problems.append(f"{where}/Fields/{_local(f)}: a field must not have child elements")
                value: Scalar = None if f.get(_XSI_NIL) in ("true", "1") else (f.text or "")
                el.values.append(PayloadValue(_local(f), value, line=f.sourceline or 0))
        elif tag == "Objects":
            for obj in child:
                if not isinstance(obj.tag, str):
                    continue
                name = _local(obj)
                for sub in obj:
                    if not isinstance(sub.tag, str):
                        continue
                    if _local(sub) != "Element":
                        el.problems.append(
                            f"{where}/Objects/{name}: expected <Element>, found <{_local(sub)}>"
                        )
                        continue
                    el.objects.append(_xml_element(sub, (*path, name), f"{where}/Objects/{name}/Element"))
        else:
            el.problems.append(f"{where}: unexpected <{tag}> (expected Fields or Objects)")
    return el


def _check_xml_size(root: Any, source: str) -> None:
    """Refuse more than :data:`MAX_XML_ELEMENTS` elements or :data:`MAX_XML_ATTRIBUTES` attributes
    on one element, in one linear pass (``len(attrib)`` is linear; ``attrib.items()`` is not)."""
    for count, node in enumerate(root.iter(), start=1):
        if count > MAX_XML_ELEMENTS:
            raise InputError(f"XML payload has more than {MAX_XML_ELEMENTS} elements", source=source)
        attributes = len(node.attrib)
        if attributes > MAX_XML_ATTRIBUTES:
            raise InputError(
                f"XML element <{_local(node)}> (line {node.sourceline or 0}) has {attributes} attributes, "
                f"more than the limit of {MAX_XML_ATTRIBUTES}",
                source=source,
            )


def parse_xml(data: bytes, source: str, connector: str | None = None) -> Payload:
    if _DTD.search(data):
        raise InputError(
            "XML with a DOCTYPE or ENTITY declaration is refused (DTDs and entities are not "
            "allowed: possible XML bomb)",
            source=source,
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"invalid XML: {exc.msg}", source=source) from None
    _check_xml_size(root, source)
    problems: list[str] = []
    name = _local(root)
    if name == "Element" and not connector:
        raise InputError(_BARE, source=source)
    if name == "Element" and connector:
        return Payload(connector, [_xml_element(root, (connector,), connector)], "xml", problems)
    elements = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if _local(child) != "Element":
            problems.append(f"{name}: expected <Element>, found <{_local(child)}>")
            continue
        elements.append(_xml_element(child, (name,), f"{name}/Element"))
    if not elements:
        problems.append(f"{name}: no <Element>")
    return Payload(name, elements, "xml", problems)


def parse_payload(data: bytes, source: str, connector: str | None = None) -> Payload:
    """Parse a payload (JSON or XML, detected from its first character)."""
    if len(data) > MAX_BYTES:
        raise InputError(f"payload too large ({len(data)} bytes; limit {MAX_BYTES})", source=source)
    try:
        form = detect(data)
    except InputError as exc:
        raise InputError(exc.reason, source=source) from None
    return parse_json(data, source, connector) if form == "json" else parse_xml(data, source, connector)
