"""The demo organisation's GetConnector definitions (``definitions/getconnectors/``), reproducibly.

``python -m afasgov.demo.getconnectors`` builds one ``.gcn`` file per own GetConnector of the simulator's
``demo`` dataset **as it is in test** (test is production plus work in progress, so test is ahead),
with afasgov's own writer (:func:`afasgov.gcn.build.build_gcn`), and stores each through the gcn
store (``<Name>.gcn`` + ``<Name>.yaml``, keyed by GUID). ``--check`` builds into a temporary
directory and exits 1 when the committed files differ (CI notices when the dataset changed).

What comes from the dataset (so that ``afasgov verify test`` is clean): the connector ids, every
output name and field id (``id`` / ``fieldId`` of ``/metainfo/get/{id}``), their order, the blocked
flag, the Dutch description and labels. What the dataset cannot say (a metainfo answer has no
source tables) comes from :data:`CATALOGUE`: the data collection and a plausible
``System.Table.Field`` source and join path per output name, filters and authorisation. A field
the catalogue does not know gets a placeholder source on the main table (``<main table>.<field
id>``) and a warning, so a new field in the dataset never breaks the generator.

AFAS's supplied connectors (``Profit_*``, ``ProfitGetConnectoren``) are not the organisation's own
and get no definition. Filter-only fields get ids ``U101``… so they never collide with the field ids
the simulator numbers by position (``U001``…).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from afasgov.gcn.build import build_gcn
from afasgov.gcn.store import file_stem, import_files, index
from afasgov.promote.verify import is_supplied

REPO: Final = Path(__file__).resolve().parents[2]
DEFAULT_OUT: Final = REPO / "definitions" / "getconnectors"
SOURCE_ENV: Final = "test"
BASELINE_ENV: Final = "production"

CREATED_AT: Final = "2024-03-04T10:15:00"
CHANGED_AT: Final = "2024-09-16T14:02:00"
#: the work in progress on test (connectors that differ from production) was changed and exported later.
WIP_CHANGED_AT: Final = "2026-10-27T11:48:00"
EXPORTED_AT: Final = "2026-11-02T16:05:00"
OWNER: Final = "12345.HRBEHEER"
AUTHOR: Final = "12345.m.devries"
WIP_AUTHOR: Final = "12345.s.jansen"


@dataclass(frozen=True)
class Collection:
    """A data collection (``ObId``) with its main table; ``fields`` maps output name → source spec
    ``System.Table.Field`` or ``System.Table.Field@JoinPath``; ``filter_fields`` are filter-only
    fields (id → source spec) and ``filters`` OR-groups of AND-criteria on them."""

    id: str
    name: str
    main_table: str
    main_alias: str
    system: str
    product: str
    fields: Mapping[str, str]
    filter_fields: Mapping[str, str] | None = None
    filters: tuple[tuple[tuple[str, str, str], ...], ...] = ()
    apply_authorisation: bool = True
    authorisation_group: str | None = None


_EMPLOYEE = {
    "Medewerker": "Kn.Emp.EmId@Emp",
    "Naam": "Kn.Emp.Nm@Emp",
    "Roepnaam": "Kn.Bcn.CaNm@Emp.KnBcn",
    "Voorletters": "Kn.Bcn.In@Emp.KnBcn",
    "Voorvoegsel": "Kn.Bcn.IsBi@Emp.KnBcn",
    "Achternaam": "Kn.Bcn.NmBi@Emp.KnBcn",
    "Geslacht": "Kn.Bcn.ViGe@Emp.KnBcn",
    "Geboortedatum": "Kn.Bcn.DaBi@Emp.KnBcn",
    "BSN": "Kn.Bcn.SoSe@Emp.KnBcn",
    "Email_werk": "Kn.Bcn.EmAd@Emp.KnEmp2.KnBcn",
    "Mobiel_werk": "Kn.Bcn.MbNr@Emp.KnEmp2.KnBcn",
    "Telefoon": "Kn.Bcn.TeNr@Emp.KnEmp2.KnBcn",
    "Email": "Kn.Bcn.EmAd@Emp.KnEmp2.KnBcn",
    "Mobiel_prive": "Kn.Bcn.MbN2@Emp.KnBcn",
    "Functie": "Kn.Oef.Fu@Emp.HrEdf.KnOef",
    "Afdeling": "Kn.Ou.Ds@Emp.HrEdf.KnOu",
    "In_dienst": "Hr.Etc.DaBe@Emp.HrAct.HrEtc",
    "Uit_dienst": "Hr.Etc.DaEn@Emp.HrAct.HrEtc",
    "IBAN": "Kn.Bnk.Iban@Emp.KnBcn.KnBnk",
    "Postcode": "Kn.Bad.ZpCd@Emp.KnBcn.KnBad",
    "Huisnummer": "Kn.Bad.HmNr@Emp.KnBcn.KnBad",
    "Salaris": "Hr.Sal.EmSa@Emp.HrAct.HrSal",
    "Parttimefactor": "Hr.Ett.PcPt@Emp.HrAct.HrEtt",
    # test: the pronouns custom field of KnPerson, being tried out
    "Voornaamwoorden": "Kn.Bcn.U534FDD1136639934453BC5BCF1446F8F@Emp.KnBcn",
    # test: onboarding
    "Startdatum": "Hr.Etc.DaBe@Emp.HrAct.HrEtc",
    "Laptop_besteld": "Kn.VDF.YN@Emp",
}
_EMPLOYED = {"U101": "Hr.Etc.DaEn@Emp.HrAct.HrEtc"}

CATALOGUE: Final[dict[str, Collection]] = {
    # ------------------------------------------------------------------------------------ HR
    "Lindeboom_HR_Medewerkers": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Hrm",
        _EMPLOYEE,
        filter_fields=_EMPLOYED,
        filters=((("U101", "empty", ""),), (("U101", ">=", "~*NOW*~@"),)),
        authorisation_group="HRM",
    ),
    "Lindeboom_HR_Pensioenexport": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Pay",
        _EMPLOYEE,
        authorisation_group="SAL",
    ),
    "Lindeboom_HR_Salarissen": Collection(
        "B_RCo02",
        "Medewerker/berekende looncomponenten",
        "Hr.RCo",
        "RCo",
        "Hr",
        "Pay",
        {
            "Medewerker": "Hr.RCo.EmId@RCo",
            "Jaar": "Hr.RCo.Year@RCo",
            "Periode": "Hr.RCo.PeId@RCo",
            "Salarisschaal": "Hr.Sal.SaSc@RCo.HrAct.HrSal",
            "Trede": "Hr.Sal.SaSt@RCo.HrAct.HrSal",
            "Bruto_salaris": "Hr.RCo.Am@RCo",
            "Uren": "Hr.Ett.HrWk@RCo.HrAct.HrEtt",
        },
        authorisation_group="SAL",
    ),
    "Lindeboom_HR_Verzuim": Collection(
        "B_Ill00",
        "Medewerker/verzuim",
        "Hr.Ill",
        "Ill",
        "Hr",
        "Hrm",
        {
            "Medewerker": "Hr.Ill.EmId@Ill",
            "Naam": "Kn.Emp.Nm@Ill.KnEmp",
            "Begindatum": "Hr.Ill.DaBe@Ill",
            "Einddatum": "Hr.Ill.DaEn@Ill",
            "Reden": "Hr.Ill.ViIr@Ill",
            "Percentage": "Hr.Ilp.PsPc@Ill.HrIlp",
        },
        authorisation_group="HRM",
    ),
    "Lindeboom_HR_Verlof": Collection(
        "B_Lea00",
        "Medewerker/verlof",
        "Hr.Lea",
        "Lea",
        "Hr",
        "Hrm",
        {
            "Medewerker": "Hr.Lea.EmId@Lea",
            "Type_verlof": "Hr.Lea.ViLt@Lea",
            "Begindatum": "Hr.Lea.DaBe@Lea",
            "Einddatum": "Hr.Lea.DaEn@Lea",
            "Uren": "Hr.Lea.LeHr@Lea",
        },
        authorisation_group="HRM",
    ),
    "Lindeboom_Oud_Export": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Pay",
        _EMPLOYEE,
        apply_authorisation=False,
    ),
    "Lindeboom_HR_Onboarding": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Hrm",
        _EMPLOYEE,
        filter_fields={"U101": "Hr.Etc.DaBe@Emp.HrAct.HrEtc"},
        filters=((("U101", ">=", "~*NOW*~@"),),),
        authorisation_group="HRM",
    ),
    # ------------------------------------------------------------------------------- finance
    "Lindeboom_Fin_Grootboek": Collection(
        "B_Acc00",
        "Grootboekrekeningen",
        "Fi.Acc",
        "Acc",
        "Fi",
        "Fin",
        {
            "Administratie": "Fi.Acc.UnId@Acc",
            "Rekening": "Fi.Acc.AcNr@Acc",
            "Omschrijving": "Fi.Acc.Ds@Acc",
            "Kenmerk": "Fi.Acc.ViAc@Acc",
            "Geblokkeerd": "Fi.Acc.Bl@Acc",
        },
        authorisation_group="FIN",
    ),
    "Lindeboom_Fin_Mutaties": Collection(
        "B_Ent00",
        "Financiële mutaties",
        "Fi.Ent",
        "Ent",
        "Fi",
        "Fin",
        {
            "Administratie": "Fi.Ent.UnId@Ent",
            "Boekjaar": "Fi.Ent.Year@Ent",
            "Periode": "Fi.Ent.Peri@Ent",
            "Dagboek": "Fi.Ent.JoCo@Ent",
            "Rekening": "Fi.Ent.AcNr@Ent",
            "Datum": "Fi.Ent.EnDa@Ent",
            "Omschrijving": "Fi.Ent.Ds@Ent",
            "Bedrag_debet": "Fi.Ent.AmDe@Ent",
            "Bedrag_credit": "Fi.Ent.AmCr@Ent",
            "Kostenplaats": "Fi.Ent.DiC1@Ent",
            # test: project dimension added for the dashboard
            "Project": "Fi.Ent.PrId@Ent",
        },
        filter_fields={"U101": "Fi.Ent.Year@Ent"},
        filters=((("U101", ">=", "2023"),),),
        authorisation_group="FIN",
    ),
    "Lindeboom_Fin_Budget": Collection(
        "B_Bud00",
        "Budgetten",
        "Fi.Bud",
        "Bud",
        "Fi",
        "Fin",
        {
            "Boekjaar": "Fi.Bud.Year@Bud",
            "Rekening": "Fi.Bud.AcNr@Bud",
            "Kostenplaats": "Fi.Bud.DiC1@Bud",
            "Periode": "Fi.Bud.Peri@Bud",
            "Budget": "Fi.Bud.AmBu@Bud",
        },
        authorisation_group="FIN",
    ),
    "Lindeboom_Fin_Debiteuren": Collection(
        "B_Opi00",
        "Openstaande posten debiteuren",
        "Fi.Opi",
        "Opi",
        "Fi",
        "Fin",
        {
            "Debiteur": "Fi.Opi.DbId@Opi",
            "Naam": "Kn.Bcn.Nm@Opi.FbDeb.KnBcn",
            "Factuur": "Fi.Opi.InNr@Opi",
            "Factuurdatum": "Fi.Opi.InDa@Opi",
            "Vervaldatum": "Fi.Opi.DaEx@Opi",
            "Openstaand": "Fi.Opi.AmOp@Opi",
        },
        authorisation_group="FIN",
    ),
    # ------------------------------------------------------------------------------- HelloID
    "T4E_HelloID_Users": Collection(
        "B_Bcn00",
        "Organisaties/Personen (incl. autorisatie)",
        "Kn.Bcn",
        "Bcn",
        "Kn",
        "Hrm",
        {
            "Gebruiker": "Kn.Bcn.TUsr@Bcn",
            "Persoonsnummer": "Kn.Bcn.BcCo@Bcn",
            "Medewerker": "Kn.Bcn.TEmp@Bcn",
            "Naam": "Kn.Emp.Nm@Bcn.KnEmp2",
            "Email": "Kn.Usr.EmAd@Bcn.KnUsr",
            "UPN": "Kn.Usr.Upn@Bcn.KnUsr",
            "Geblokkeerd": "Kn.Usr.Bl@Bcn.KnUsr",
            "InSite": "Kn.Usr.InSi@Bcn.KnUsr",
        },
        filter_fields={"U101": "Kn.Bcn.Bl@Bcn"},
        filters=((("U101", "=", "0"),),),
        authorisation_group="IAM",
    ),
    "T4E_HelloID_Employments": Collection(
        "B_Edf00",
        "Medewerker/org. eenheid en functie",
        "Hr.Edf",
        "Edf",
        "Hr",
        "Hrm",
        {
            "Medewerker": "Hr.Edf.EmId@Edf",
            "Dienstverband": "Hr.Etc.EnSe@Edf.HrEtc",
            "Begindatum_contract": "Hr.Etc.DaBe@Edf.HrEtc",
            "Einddatum_contract": "Hr.Etc.DaEn@Edf.HrEtc",
            "Functie": "Hr.Edf.FuId@Edf",
            "Functie_omschrijving": "Kn.Oef.Fu@Edf.KnOef",
            "FunctieOmschrijving": "Kn.Oef.Fu@Edf.KnOef",
            "OE": "Hr.Edf.DpId@Edf",
            "OE_omschrijving": "Kn.Ou.Ds@Edf.KnOu",
            "Kostenplaats": "Hr.Edf.CrId@Edf",
            "Uren_per_week": "Hr.Ett.HrWk@Edf.HrEtt",
            "Leidinggevende": "Kn.Ou.MaId@Edf.KnOu",
            # test: employment relationship kind, for the new HelloID mapping
            "Soort_arbeidsrelatie": "Kn.Ctv.VaId@Edf.HrEtc.KnCtv6",
        },
        authorisation_group="IAM",
    ),
    "T4E_HelloID_Positions": Collection(
        "B_Fun00",
        "Functies",
        "Kn.Oef",
        "Oef",
        "Kn",
        "Hrm",
        {
            "Functie": "Kn.Oef.FuId@Oef",
            "Omschrijving": "Kn.Oef.Fu@Oef",
            "Geblokkeerd": "Kn.Oef.Bl@Oef",
        },
        authorisation_group="IAM",
    ),
    "T4E_HelloID_OrganizationalUnits": Collection(
        "B_Org01",
        "Organigram (Actuele gegevens)",
        "Kn.Org",
        "Org",
        "Kn",
        "Hrm",
        {
            "OE": "Kn.Ou.OuId@Org.KnOu",
            "Omschrijving": "Kn.Ou.Ds@Org.KnOu",
            "Bovenliggende_OE": "Kn.VDF.OuId@Org",
            "Leidinggevende": "Kn.Ou.MaId@Org.KnOu",
            "Geblokkeerd": "Kn.Ou.Bl@Org.KnOu",
        },
        authorisation_group="IAM",
    ),
    "T4E_HelloID_Groups": Collection(
        "B_Grp02",
        "Gebruikers per groep",
        "Kn.Grp",
        "Grp",
        "Kn",
        "Hrm",
        {
            "Groep": "Kn.Grp.GrId@Grp",
            "Omschrijving": "Kn.Grp.Ds@Grp",
        },
        filter_fields={"U101": "Kn.Grp.Bl@Grp"},
        filters=((("U101", "=", "0"),),),
        authorisation_group="IAM",
    ),
    "T4E_HelloID_UserGroups": Collection(
        "B_Grp02",
        "Gebruikers per groep",
        "Kn.Grp",
        "Grp",
        "Kn",
        "Hrm",
        {
            "Gebruiker": "Kn.Usr.UsId@Grp.KnUsr",
            "Groep": "Kn.Grp.GrId@Grp",
        },
        authorisation_group="IAM",
    ),
    # ---------------------------------------------------------------------- CRM, projects, intranet
    "Lindeboom_CRM_Relaties": Collection(
        "B_Bcn02",
        "Organisaties/Personen (excl. Autorisatie)",
        "Kn.Bcn",
        "Bcn",
        "Kn",
        "Crm",
        {
            "Nummer": "Kn.Bcn.BcCo@Bcn",
            "Naam": "Kn.Bcn.Nm@Bcn",
            "Plaats": "Kn.Bad.Rs@Bcn.KnBad",
            "Telefoon": "Kn.Bcn.TeNr@Bcn",
            "Email": "Kn.Bcn.EmAd@Bcn",
        },
        apply_authorisation=False,
        authorisation_group="CRM",
    ),
    "Lindeboom_Projecten": Collection(
        "B_Prj00",
        "Projecten",
        "Pt.Prj",
        "Prj",
        "Pt",
        "Prj",
        {
            "Project": "Pt.Prj.PrId@Prj",
            "Omschrijving": "Pt.Prj.Ds@Prj",
            "Projectleider": "Pt.Prj.EmId@Prj",
            "Begindatum": "Pt.Prj.DaBe@Prj",
            "Gereed": "Pt.Prj.Comp@Prj",
        },
        authorisation_group="PRJ",
    ),
    "Lindeboom_Intranet_Telefoonboek": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Hrm",
        _EMPLOYEE,
        filter_fields=_EMPLOYED,
        filters=((("U101", "empty", ""),),),
        apply_authorisation=False,
    ),
    "Lindeboom_Intranet_Verjaardagen": Collection(
        "B_Emp03",
        "Medewerker (Actuele gegevens)",
        "Kn.Emp",
        "Emp",
        "Hr",
        "Hrm",
        _EMPLOYEE,
        filter_fields=_EMPLOYED,
        filters=((("U101", "empty", ""),),),
        apply_authorisation=False,
    ),
}

#: used for a connector the catalogue does not know (a new connector in the dataset).
FALLBACK: Final = Collection("B_Bcn00", "Organisaties/Personen", "Kn.Bcn", "Bcn", "Kn", "Hrm", {})


def _source(spec: str, main_alias: str) -> tuple[str, str]:
    source, _, join = spec.partition("@")
    return source, join or main_alias


def _label(value: Any, lang: str = "nl") -> str:
    get = getattr(value, "get", None)
    if callable(get) and hasattr(value, "nl"):
        return str(get(lang))
    return str(value)


def connector_spec(gc: Any, *, changed_in_test: bool, warnings: list[str], new_in_test: bool = False) -> dict[str, Any]:
    """The :func:`build_gcn` spec of one dataset GetConnector (a ``GetConnectorDef``)."""
    coll = CATALOGUE.get(gc.id)
    if coll is None:
        warnings.append(f"{gc.id}: not in the catalogue; placeholder data collection {FALLBACK.id}")
        coll = FALLBACK
    fields: list[dict[str, Any]] = []
    for f in gc.fields:
        spec = coll.fields.get(f["id"])
        if spec is None:
            warnings.append(f"{gc.id}: no source for output field {f['id']}; placeholder on {coll.main_table}")
            spec = f"{coll.main_table}.{f['fieldId']}"
        source, join = _source(spec, coll.main_alias)
        label = _label(f["label"])
        fields.append(
            {
                "id": f["fieldId"],
                "source": source,
                "join_path": join,
                "output_name": f["id"],
                "label": label,
                "column_header": label,
            }
        )
    for fid, spec in (coll.filter_fields or {}).items():
        source, join = _source(spec, coll.main_alias)
        fields.append({"id": fid, "source": source, "join_path": join, "display": "filter-only"})
    return {
        "name": gc.id,
        "description": _label(gc.description),
        "system": coll.system,
        "product": coll.product,
        "data_collection": {
            "id": coll.id,
            "name": coll.name,
            "main_table": coll.main_table,
            "main_alias": coll.main_alias,
        },
        "fields": fields,
        "filters": [[{"field": f, "operator": op, "value": v} for f, op, v in group] for group in coll.filters],
        "blocked": bool(gc.blocked),
        "apply_authorisation": coll.apply_authorisation,
        "authorisation_group": coll.authorisation_group,
        "owner": OWNER,
        "created_by": WIP_AUTHOR if new_in_test else AUTHOR,
        "created_at": WIP_CHANGED_AT if new_in_test else CREATED_AT,
        "changed_by": WIP_AUTHOR if changed_in_test else AUTHOR,
        "changed_at": WIP_CHANGED_AT if changed_in_test else CHANGED_AT,
        "exported_at": EXPORTED_AT,
    }


def _fields_key(gc: Any) -> list[tuple[str, str]]:
    return [(f["id"], f["fieldId"]) for f in gc.fields]


def build_demo_files(directory: Path, warnings: list[str] | None = None) -> list[Path]:
    """Write ``<Name>.gcn`` for every own GetConnector of the demo's test environment into
    ``directory``; returns the paths (sorted by connector id)."""
    from afasgov.sim.datasets import load_dataset

    warns = warnings if warnings is not None else []
    dataset = load_dataset("demo")
    test = dataset.environment(SOURCE_ENV)
    production = dataset.environment(BASELINE_ENV)
    paths: list[Path] = []
    for cid in sorted(test.get_connectors):
        if is_supplied(cid):
            continue
        gc = test.get_connectors[cid]
        before = production.get_connectors.get(cid)
        changed = before is None or _fields_key(before) != _fields_key(gc) or before.blocked != gc.blocked
        data = build_gcn(connector_spec(gc, changed_in_test=changed, new_in_test=before is None, warnings=warns))
        path = directory / f"{file_stem(cid)}.gcn"
        path.write_bytes(data)
        paths.append(path)
    return paths


def generate(out: Path, warnings: list[str] | None = None) -> list[str]:
    """(Re)write the demo definitions into ``out``; returns one line per stored connector."""
    with tempfile.TemporaryDirectory(prefix="afasgov-demo-gcn-") as tmp:
        paths = build_demo_files(Path(tmp), warnings)
        results = import_files(paths, out)
    produced = {r.guid for r in results}
    lines = [f"{r.action:9} {r.name} -> {r.gcn_path.name}" for r in results]
    for guid, entry in sorted(index(out).items()):
        if guid not in produced:
            lines.append(f"extra     {entry.name} ({entry.yaml_path.name} is not produced by the demo dataset)")
    return lines


def tree(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        return {}
    return {
        p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.suffix in (".gcn", ".yaml")
    }


def check(committed: Path, warnings: list[str] | None = None) -> list[str]:
    """Differences between the committed definitions and freshly generated ones, one line each."""
    with tempfile.TemporaryDirectory(prefix="afasgov-demo-gcn-check-") as tmp:
        fresh_dir = Path(tmp) / "getconnectors"
        generate(fresh_dir, warnings)
        fresh, old = tree(fresh_dir), tree(committed)
    problems = []
    for name in sorted(fresh.keys() | old.keys()):
        if name not in old:
            problems.append(f"{name}: missing from {committed}")
        elif name not in fresh:
            problems.append(f"{name}: not produced by the demo dataset")
        elif fresh[name] != old[name]:
            problems.append(f"{name}: differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m afasgov.demo.getconnectors",
        description="Write the demo organisation's GetConnector definitions.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"target directory (default {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args(argv)
    warnings: list[str] = []
    if args.check:
        problems = check(args.out, warnings)
        for line in warnings:
            print(f"demo: warning: {line}", file=sys.stderr)
        for line in problems:
            print(f"demo: {line}", file=sys.stderr)
        if problems:
            print(
                "demo: the committed demo definitions are stale; run: python -m afasgov.demo.getconnectors",
                file=sys.stderr,
            )
            return 1
        print(f"demo: {args.out} is current")
        return 0
    lines = generate(args.out, warnings)
    for line in warnings:
        print(f"demo: warning: {line}", file=sys.stderr)
    for line in lines:
        print(f"demo: {line}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["CATALOGUE", "build_demo_files", "check", "connector_spec", "generate", "is_supplied", "main"]
