"""``junit``: JUnit XML (Jenkins/Surefire ``junit-10.xsd``): one test case per item; unwaived items at
or above ``--fail-on`` are failures, waived items are skipped, the rest pass with their text.

Test case names are ``<id> <where>`` (environment / App Connector / path, plus the field where the path
lacks it), unique within a report: CI systems track a test case by its name across runs, so items whose
names would collide get their stable fingerprint appended (never a position, which shifts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from lxml import etree

from afasgov.findings import LEVELS, Finding, at_or_above
from afasgov.report.document import ReportMeta
from afasgov.report.escape import xml_text as x


def _base_name(item: Finding) -> str:
    where = item.where or item.location.environment
    name = f"{item.id} {where}".strip()
    field = item.location.field
    if field and field not in where.replace(":", "/").split("/"):
        name += f" (field {field})"
    return name


def case_names(items: Sequence[Finding]) -> list[str]:
    """One unique, stable test case name per item (see the module docstring)."""
    bases = [_base_name(i) for i in items]
    counts = Counter(bases)
    names = [
        f"{base} #{item.fingerprint}" if counts[base] > 1 and item.fingerprint else base
        for base, item in zip(bases, items, strict=True)
    ]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:  # identical items (same fingerprint, or none): number the repeats
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _case(item: Finding, name: str, doc: ReportMeta) -> etree._Element:
    fail_on = doc.fail_on
    details = doc.details(item)
    case = etree.Element(
        "testcase",
        name=x(name),
        classname=x(item.location.connector or item.location.environment or item.id),
        time="0",
    )
    detail = item.text + "".join("\n" + n for n in details)
    if item.scope:
        detail += f"\nscope: {item.scope}"
    if item.evidence and not any(item.evidence in n for n in details):
        detail += f"\nevidence: {item.evidence}"
    if item.waived and item.waiver is not None:
        skipped = etree.SubElement(case, "skipped", message=x(f"waived: {item.waiver.reason}"))
        skipped.text = x(f"{detail}\nowner {item.waiver.owner}, expires {item.waiver.expires}")
    elif at_or_above(item.level, fail_on):
        failure = etree.SubElement(case, "failure", message=x(item.text), type=x(item.level))
        failure.text = x(detail)
    else:
        out = etree.SubElement(case, "system-out")
        out.text = x(f"[{item.level}] {detail}")
    return case


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    groups: dict[str, list[tuple[Finding, str]]] = defaultdict(list)
    for item, name in zip(findings, case_names(findings), strict=True):
        groups[item.level].append((item, name))
    root = etree.Element("testsuites", name=x(doc.title), time="0")
    total = failures = 0
    for level in LEVELS:
        items = groups.get(level, [])
        fails = sum(1 for i, _ in items if not i.waived and at_or_above(i.level, doc.fail_on))
        skipped = sum(1 for i, _ in items if i.waived)
        suite = etree.SubElement(
            root,
            "testsuite",
            name=x(f"{doc.tool} {doc.kind} {level}"),
            tests=str(len(items)),
            failures=str(fails),
            errors="0",
            skipped=str(skipped),
            time="0",
        )
        props = etree.SubElement(suite, "properties")
        for key, value in doc.header.items():
            if isinstance(value, str | int | float):
                etree.SubElement(props, "property", name=x(key), value=x(value))
        etree.SubElement(props, "property", name="version", value=x(doc.version))
        for item, name in items:
            suite.append(_case(item, name, doc))
        total += len(items)
        failures += fails
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    if not findings:  # keep a visible, passing test so CI shows the check ran
        suite = root[0]
        suite.set("tests", "1")
        etree.SubElement(
            suite, "testcase", name=x(f"{doc.kind}: no {doc.items_key}"), classname=x(doc.tool), time="0"
        )
        root.set("tests", "1")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data.decode("utf-8")
