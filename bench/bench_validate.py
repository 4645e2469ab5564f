"""``afasgov validate`` on 1,000 payloads of 50 fields (target: one process ≤ 2 s).

Project-authored payloads for a real AFAS connector name (so the catalogue applies): 50 fields of
every data type, codes, one nested object, and a problem in one payload out of ten (an over-long
value, a code in another case, a decimal comma). Measured in the same run:

* the library: :func:`afasgov.validate.validate_bytes` on every payload, against the baseline of
  parsing the payloads alone (``json.loads``), and with ``--baseline`` grading (two validations each);
* the command: ``afasgov validate`` on the 1,000 files in one child process (interpreter start,
  imports, snapshot read, report rendered to a file), against a child that only reads and parses the
  same files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from afasgov.model import CodeValue, EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject
from afasgov.snapshot import write_tree
from afasgov.validate import validate_bytes
from bench.common import Result, best_of

CODES = tuple(CodeValue(c, f"code {c}") for c in ("A", "B", "C", "D", "E"))
KINDS = ("string", "int", "decimal", "boolean", "date", "code")


def _fields(n: int) -> tuple[UpdateField, ...]:
    out = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        if kind == "code":
            out.append(UpdateField(f"F{i:02d}", f"Field {i}", "string", 5, values=CODES, mandatory=i < 6))
        else:
            out.append(UpdateField(f"F{i:02d}", f"Field {i}", kind, {"string": 40, "int": 9}.get(kind, 0),
                                   mandatory=i < 6))
    return tuple(out)


def _value(kind: str, i: int, j: int) -> object:
    return {
        "string": f"text {j} {i}",
        "int": j * 7 + i,
        "decimal": f"{j}.{i:02d}",
        "boolean": j % 2 == 0,
        "date": f"2026-{1 + j % 12:02d}-{1 + i % 28:02d}",
        "code": "ABCDE"[(i + j) % 5],
    }[kind]


def payloads(count: int, fields: int = 50) -> list[bytes]:
    specs = _fields(fields - 5)
    out = []
    for j in range(count):
        values: dict[str, object] = {f.field_id: _value(KINDS[k % len(KINDS)], k, j) for k, f in enumerate(specs)}
        if j % 10 == 3:
            values["F00"] = "x" * 50  # over length: ERR
        elif j % 10 == 6:
            values["F05"] = "b"  # a code in another case: INFO
        elif j % 10 == 9:
            values["F02"] = "12,5"  # decimal comma: WARN
        line = {f"L{k}": f"line {j}" for k in range(5)}
        doc = {"KnSubject": {"Element": {"@SbId": j, "Fields": values,
                                         "Objects": [{"KnSubjectLink": {"Element": {"Fields": line}}}]}}}
        out.append(json.dumps(doc).encode())
    return out


def snapshot(name: str, fields: int = 50) -> EnvironmentSnapshot:
    link = UpdateObject("KnSubjectLink", tuple(UpdateField(f"L{k}", f"Line {k}", "string", 40) for k in range(5)))
    conn = UpdateConnector("KnSubject", "Dossieritem", (UpdateField("SbId", "Id", "int", 9, primary_key=True),
                                                        *_fields(fields - 5)), (link,))
    return EnvironmentSnapshot(name=name, update_connectors={"KnSubject": conn})


def _child(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def run(quick: bool) -> list[Result]:
    count = 200 if quick else 1000
    repeat = 2 if quick else 3
    data = payloads(count)
    accept, production = snapshot("accept"), snapshot("production")
    problems = sum(len(validate_bytes(d, accept, source="p.json")) for d in data)

    def library() -> None:
        for d in data:
            validate_bytes(d, accept, source="p.json")

    def graded() -> None:
        for d in data:
            validate_bytes(d, accept, source="p.json", baseline=production)

    def parse_only() -> None:
        for d in data:
            json.loads(d)

    t_lib, t_graded, t_parse = best_of(library, repeat), best_of(graded, repeat), best_of(parse_only, repeat)
    results = [
        Result(name=f"validate {count} payloads x 50 fields (library)", value=t_lib, unit="s",
               baseline_name="json.loads of the same payloads", baseline_value=t_parse, target="<= 2 s",
               details={"problems": problems, "per_payload_ms": round(1000 * t_lib / count, 3)}),
        Result(name=f"validate --baseline {count} payloads (library)", value=t_graded, unit="s",
               baseline_name="validate without baseline", baseline_value=t_lib),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(accept, root / "definitions")
        files = []
        for i, d in enumerate(data):
            path = root / "payloads" / f"p{i:04d}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(d)
            files.append(str(path))
        names = json.dumps(files)
        command = (
            "import sys; from afasgov.cli import main\n"
            f"sys.argv = ['afasgov', 'validate', *{names}, '--env', {str(root / 'definitions' / 'accept')!r},"
            f" '--format', 'json', '--output', {str(root / 'out.json')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
        )
        parse = f"import json\nfor p in {names}:\n    json.loads(open(p, 'rb').read())\n"
        t_cli = min(_child(command) for _ in range(repeat))
        t_child_parse = min(_child(parse) for _ in range(repeat))
        report = json.loads((root / "out.json").read_text(encoding="utf-8"))
    results.append(
        Result(name=f"afasgov validate {count} files, one process (CLI)", value=t_cli, unit="s",
               baseline_name="a process reading and parsing the files", baseline_value=t_child_parse,
               target="<= 2 s", details={"items": len(report["problems"]), "summary": report["summary"]})
    )
    return results
