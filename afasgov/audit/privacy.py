"""The privacy dictionary of security-checklist §1b: which fields are privacy-sensitive, by tier.

A field is recognised by any of: its id in a supplied GetConnector (``BSN``, ``IBAN``…), its
UpdateConnector field id (``SoSe``, ``DaBi``…, some only inside a given connector or object), its
``.gcn`` source ``System.Table.Field`` (some only via a given join path, because alias numbers are
path-specific), or its label / output name in Dutch or English. Tiers BSN, ID documents and health
are *critical* (AC011); the other tiers are *high* (AC010).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from afasgov.gcn.model import GcnField
from afasgov.model import GetField, UpdateField


class Tier(StrEnum):
    BSN = "BSN"
    ID_DOCUMENT = "ID document"
    HEALTH = "health"
    BANK = "bank"
    SALARY = "salary"
    BIRTH = "birth"
    IDENTITY = "nationality/gender/civil status"
    PRIVATE_CONTACT = "private contact"


CRITICAL_TIERS = frozenset({Tier.BSN, Tier.ID_DOCUMENT, Tier.HEALTH})


@dataclass(frozen=True)
class Match:
    """Why a field is privacy-sensitive."""

    tier: Tier
    reason: str

    @property
    def critical(self) -> bool:
        return self.tier in CRITICAL_TIERS


# ---------------------------------------------------------------------------- supplied get ids
#: ``id`` of fields of supplied GetConnectors -> tier (case-insensitive, any connector).
GET_IDS: dict[str, Tier] = {
    "bsn": Tier.BSN,
    "iban": Tier.BANK,
    "datebirth": Tier.BIRTH,
    "gender": Tier.IDENTITY,
}
#: health ids only mean health inside an illness/absence connector (``ReasonId`` is generic).
GET_HEALTH_IDS = frozenset({"reasonid", "reasondesc", "absencetypeid", "wao", "nursingaddress"})
HEALTH_CONNECTOR_RE = re.compile(r"(?i)illness|ziek|verzuim|absence|sick")

# ------------------------------------------------------------------------- update field ids
#: field id -> tier, in any UpdateConnector.
UPDATE_IDS: dict[str, Tier] = {
    "SoSe": Tier.BSN,
    "Iban": Tier.BANK,
    "BaAc": Tier.BANK,
    "Bic": Tier.BANK,
    "SaAc": Tier.BANK,
    "EmSa": Tier.SALARY,
    "NtSa": Tier.SALARY,
    "SaPe": Tier.SALARY,
    "DaBi": Tier.BIRTH,
    "RsBi": Tier.BIRTH,
    "CoBi": Tier.BIRTH,
    "PsNa": Tier.IDENTITY,
    "ViNa": Tier.IDENTITY,
    "ViGe": Tier.IDENTITY,
    "ViCs": Tier.IDENTITY,
    "DaMa": Tier.IDENTITY,
    "DaDi": Tier.IDENTITY,
    "TeN2": Tier.PRIVATE_CONTACT,
    "MbN2": Tier.PRIVATE_CONTACT,
    "EmA2": Tier.PRIVATE_CONTACT,
}
#: (connector prefix, field id) -> tier: ids that are sensitive only in that connector.
UPDATE_IDS_IN_CONNECTOR: dict[tuple[str, str], Tier] = {
    ("HrIllness", "ViIr"): Tier.HEALTH,
    ("HrIllness", "ReAd"): Tier.HEALTH,
    ("HrIllness", "ViIt"): Tier.HEALTH,
    ("HrRelative", "Hdcp"): Tier.HEALTH,
    ("HrOnboarding", "CWH"): Tier.HEALTH,
    ("HrOnboarding", "Z04"): Tier.HEALTH,
    ("HrCompMut", "VaD1"): Tier.SALARY,
    ("HrCompMut", "VaD2"): Tier.SALARY,
    ("HrCompMut", "VaD3"): Tier.SALARY,
    ("HrEmployeeDeposit", "Amnt"): Tier.SALARY,
}
#: nested objects all of whose fields are sensitive.
UPDATE_OBJECTS: dict[str, Tier] = {
    "AfasIdentityDocument": Tier.ID_DOCUMENT,
    "AfasResidenceDocument": Tier.ID_DOCUMENT,
    "AfasSalary": Tier.SALARY,
    "AfasBankInfo": Tier.BANK,
}
#: a person's own addresses (inside KnPerson / KnEmployee) are private contact data.
PERSON_ADDRESS_OBJECTS = frozenset({"KnBasicAddressAdr", "KnBasicAddressPad"})
PERSON_OBJECTS = frozenset({"KnPerson", "KnEmployee", "HrOnboarding"})

# ------------------------------------------------------------------------------- .gcn sources
#: ``System.Table.Field`` (case-insensitive) -> tier.
GCN_SOURCES: dict[str, Tier] = {
    "kn.bcn.sose": Tier.BSN,
    "kn.bcn.dabi": Tier.BIRTH,
    "kn.emp.lwrs": Tier.BIRTH,
    "kn.emp.lwna": Tier.BIRTH,
    "kn.vdf.int": Tier.BIRTH,
    "hr.vdf.n112": Tier.SALARY,
    "hr.vdf.hrwg": Tier.SALARY,
    "hr.vdf.resa": Tier.SALARY,
    "hr.eln.halo": Tier.SALARY,
    "hr.edw.hadw": Tier.SALARY,
    "hr.ets.sanr": Tier.SALARY,
    "kn.bcn.ten2": Tier.PRIVATE_CONTACT,
    "kn.bcn.mbn2": Tier.PRIVATE_CONTACT,
    "kn.bcn.ema2": Tier.PRIVATE_CONTACT,
}
#: compact ``<Sys><Tbl><Fld>`` field ids seen in exports for the same sources.
GCN_FIELD_IDS: dict[str, Tier] = {
    "hrelnhalo": Tier.SALARY,
    "hredwhadw": Tier.SALARY,
    "hrvdfn112": Tier.SALARY,
}
#: (source, join path suffix) -> tier: alias numbers are path-specific (KnCtv5 is also employment type).
GCN_PATH_SOURCES: dict[tuple[str, str], Tier] = {
    ("kn.ctv.vaid", "knbcn.knctv4"): Tier.IDENTITY,
    ("kn.ctv.ds", "knbcn.knctv5"): Tier.IDENTITY,
}

# ------------------------------------------------------------------------------------- labels
LABELS: tuple[tuple[Tier, re.Pattern[str]], ...] = (
    (
        Tier.BSN,
        re.compile(
            r"(?i)\bbsn\b|burger\s?service\s?nummer|sofi[- ]?nummer|social security"
            r"|citizen service number"
        ),
    ),
    (
        Tier.ID_DOCUMENT,
        re.compile(
            r"(?i)identiteitsbewijs|identiteitsdocument|\bid[- ]bewijs|paspoort|passport"
            r"|identity document|identity card|verblijfsvergunning|verblijfsdocument"
            r"|residence (?:permit|document)"
        ),
    ),
    (
        Tier.HEALTH,
        re.compile(
            r"(?i)ziekte|ziekmelding|verzuimreden|illness|sickness|handicap|arbeidsongeschikt"
            r"|\bwao\b|\bwia\b|medisch|medical|verpleegadres|nursing address|diagnos"
        ),
    ),
    (Tier.BANK, re.compile(r"(?i)\biban\b|bankrekening|bank ?account|\bbic\b|bank ?account ?number")),
    (
        Tier.SALARY,
        re.compile(
            r"(?i)salaris|salary|\buurloon|hourly wage|brutoloon|nettoloon|\bwage\b"
            r"|pensioennummer|loonbeslag|garnish"
        ),
    ),
    (
        Tier.BIRTH,
        re.compile(
            r"(?i)geboorte|date of birth|birth ?date|birthday|place of birth|country of birth"
            r"|\bleeftijd\b|\bage\b"
        ),
    ),
    (
        Tier.IDENTITY,
        re.compile(
            r"(?i)nationalit|geslacht|\bgender\b|\bsex\b|burgerlijke staat|civil status"
            r"|marital status|huwelijksdatum|date of marriage|scheidingsdatum|divorce"
        ),
    ),
    (
        Tier.PRIVATE_CONTACT,
        re.compile(
            r"(?i)(?:priv[eé]|private|personal|home)[- ]?(?:e-?mail|telefoon|phone"
            r"|mobiel|mobile|adres|address)|woonadres|thuisadres|huisadres"
            r"|e-?mail priv[eé]|telefoon priv[eé]"
        ),
    ),
)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _words(text: str) -> str:
    """``DateOfBirth`` -> ``Date Of Birth``; ``E_mail_prive`` -> ``E mail prive``."""
    return _CAMEL.sub(" ", text).replace("_", " ")


#: all label patterns in one alternation (one regex pass per text); group ``t<i>`` = ``LABELS[i]``.
_LABEL_ANY = re.compile(
    "|".join(f"(?P<t{i}>{p.pattern.removeprefix('(?i)')})" for i, (_, p) in enumerate(LABELS)), re.IGNORECASE
)


@functools.lru_cache(maxsize=65536)
def classify_label(*texts: str) -> Match | None:
    """Match labels and output names (Dutch and English); cached (labels repeat across connectors)."""
    for text in texts:
        if not text:
            continue
        for candidate in (text, _words(text)):
            m = _LABEL_ANY.search(candidate)
            if m and m.lastgroup:
                return Match(LABELS[int(m.lastgroup[1:])][0], f"label {text!r}")
    return None


def classify_get_field(connector_id: str, field: GetField) -> Match | None:
    """A field of ``/metainfo/get/{id}``."""
    key = field.id.lower()
    if key in GET_IDS:
        return Match(GET_IDS[key], f"field id {field.id!r}")
    if key in GET_HEALTH_IDS and HEALTH_CONNECTOR_RE.search(connector_id):
        return Match(Tier.HEALTH, f"field id {field.id!r} in {connector_id}")
    return classify_label(field.label, field.id)


def classify_update_field(object_path: tuple[str, ...], field: UpdateField) -> Match | None:
    """A field of ``/metainfo/update/{id}`` at ``object_path`` (first element = connector id)."""
    connector = object_path[0] if object_path else ""
    for obj in object_path:
        if obj in UPDATE_OBJECTS:
            return Match(UPDATE_OBJECTS[obj], f"object {obj}")
    if field.field_id in UPDATE_IDS:
        return Match(UPDATE_IDS[field.field_id], f"field id {field.field_id!r}")
    for (prefix, fid), tier in UPDATE_IDS_IN_CONNECTOR.items():
        if field.field_id == fid and connector.startswith(prefix):
            return Match(tier, f"field id {fid!r} in {prefix}")
    if any(o in PERSON_ADDRESS_OBJECTS for o in object_path[1:]) and any(
        o in PERSON_OBJECTS for o in object_path
    ):
        return Match(Tier.PRIVATE_CONTACT, "person address object")
    return classify_label(field.label)


def classify_gcn_field(field: GcnField) -> Match | None:
    """A field row of a ``.gcn`` definition: source, join path, compact id, label, output name."""
    source = (field.source or "").lower()
    join_path = field.join_path or ""
    if source in GCN_SOURCES:
        return Match(GCN_SOURCES[source], f"source {field.source}")
    path = join_path.lower()
    for (src, suffix), tier in GCN_PATH_SOURCES.items():
        if source == src and path.endswith(suffix):
            return Match(tier, f"source {field.source} via {join_path}")
    if (field.source_table or "").lower() == "kn.bad" and "knbad1" in path:
        return Match(Tier.PRIVATE_CONTACT, f"source {field.source} via {join_path}")
    if field.field_id.lower() in GCN_FIELD_IDS:
        return Match(GCN_FIELD_IDS[field.field_id.lower()], f"field id {field.field_id!r}")
    return classify_label(field.label or field.column_header or "", field.output_name or "")
