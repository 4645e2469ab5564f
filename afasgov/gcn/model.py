"""The readable GetConnector definition of a ``.gcn`` file (DESIGN §4): typed, frozen dataclasses.

This is what the rest of afasgov consumes (audit: privacy-sensitive sources, filters, aggregation,
joins, flags; diff: :func:`afasgov.diff.rules.gcn.diff_definitions`). It is derived from the lossless raw
layer (:class:`afasgov.gcn.codec.GcnDocument`) and stored as YAML next to the original bytes.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Final

from afasgov.gcn.filters import OPERATORS

DISPLAY_KINDS: Final[dict[int, str]] = {1: "output", 0: "filter-only", 2: "system"}
DISPLAY_CODES: Final[dict[str, int]] = {v: k for k, v in DISPLAY_KINDS.items()}
#: AfasMdAggFunc; only 1 and 2 are seen in the samples and their meaning is a guess (gcn-format §7.4).
AGGREGATIONS: Final[dict[int, str]] = {0: "none", 1: "count", 2: "sum"}
GENERATIONS: Final[dict[int, str]] = {5: "G1", 7: "G2", 8: "G3"}
LCIDS: Final[dict[str, str]] = {"1031": "de", "1036": "fr", "1043": "nl", "2057": "en-GB", "2067": "nl-BE"}


def operator_name(code: int) -> str:
    return OPERATORS.get(code, f"operator {code}")


@dataclass(frozen=True)
class GcnField:
    """One selected field (a row of ``AfasMdViewField``)."""

    field_id: str
    order: int
    display: int
    output_name: str | None = None
    source: str | None = None  # System.Table.Field, e.g. "Kn.Bcn.EmAd"
    join_path: str | None = None  # aliases/FK ids from the main alias, e.g. "Bcn.KnEmp2.KnBcn"
    label: str | None = None
    column_header: str | None = None
    aggregation: int = 0
    group_index: int | None = None
    sql_name: str | None = None
    main_table: bool = False
    extension: bool = False
    fixed: bool = False
    authorisation_lookup: str | None = None  # System.View.Field of the AfasMdAV* lookup
    search: str | None = None
    condition: int | None = None
    labels: dict[str, str] = field(default_factory=dict)  # lcid -> localized label
    column_headers: dict[str, str] = field(default_factory=dict)  # lcid -> localized column header

    @property
    def display_kind(self) -> str:
        """``output`` (returned to REST clients), ``filter-only`` or ``system``."""
        return DISPLAY_KINDS.get(self.display, f"display-{self.display}")

    @property
    def is_output(self) -> bool:
        return self.display == 1

    @property
    def aggregation_name(self) -> str:
        return AGGREGATIONS.get(self.aggregation, f"aggregation-{self.aggregation}")

    def _source_part(self, index: int) -> str | None:
        if not self.source:
            return None
        parts = self.source.split(".")
        return parts[index] if len(parts) == 3 else None

    @property
    def source_system(self) -> str | None:
        return self._source_part(0)

    @property
    def source_table(self) -> str | None:
        """``System.Table`` of the source, e.g. ``Kn.Bcn``."""
        if not self.source or self.source.count(".") != 2:
            return None
        return self.source.rsplit(".", 1)[0]

    @property
    def source_field(self) -> str | None:
        return self._source_part(2)

    @property
    def join_depth(self) -> int:
        """How many joins away from the main table the field is (the aliases in its join path)."""
        return len([p for p in self.join_path.split(".") if p]) if self.join_path else 0

    @property
    def is_virtual(self) -> bool:
        """Computed/virtual source (``VDF``/``Vdf`` tables)."""
        table = self._source_part(1)
        return bool(table) and table.upper() == "VDF"  # type: ignore[union-attr]


@dataclass(frozen=True)
class GcnCriterion:
    """One AND-ed condition: ``field_id`` ``operator`` ``value`` (AFAS operator codes 1–15)."""

    field_id: str
    operator: int
    value: str

    @property
    def operator_name(self) -> str:
        return operator_name(self.operator)

    def text(self) -> str:
        if self.operator in (8, 9):
            return f"{self.field_id} {self.operator_name}"
        if self.operator == 15:
            return f"{self.field_id} {self.value}"
        return f"{self.field_id} {self.operator_name} {self.value!r}"


@dataclass(frozen=True)
class GcnFilterGroup:
    """Criteria that must all hold (AND); the groups of a definition are OR-ed."""

    criteria: tuple[GcnCriterion, ...] = ()

    def text(self) -> str:
        return " AND ".join(c.text() for c in self.criteria) or "(empty)"


@dataclass(frozen=True)
class GcnAlias:
    """A joinable table (or view) offered by the data collection (a row of ``AfasMdViewAlias``)."""

    alias: str
    seq: int
    target: str | None = None  # System.Table
    target_view: str | None = None  # System.View (when target_type == 1)
    target_view_alias: str | None = None
    target_type: int = 0
    condition: int | None = None
    description: str | None = None
    left_join_only: bool = False
    default: bool = False
    always_on: bool = False
    visible: bool = True
    join_type: int | None = None


@dataclass(frozen=True)
class GcnExportInfo:
    """Where the file came from: container format and export moment."""

    format_version: int
    exported_at: _dt.datetime | None = None  # local time of the AFAS environment (ZIP DOS time)
    exported_at_utc: _dt.datetime | None = None  # ZIP NTFS time
    environment_id: str | None = None  # format 5 only (dataset header)
    release: str | None = None  # header items 8-10, e.g. "2.9.1400" (meaning unknown)
    query_version: str | None = None
    build: int | None = None
    service_pack: int | None = None

    @property
    def generation(self) -> str:
        return GENERATIONS.get(self.format_version, f"format {self.format_version}")


@dataclass(frozen=True)
class GcnDefinition:
    """A GetConnector definition as read from a ``.gcn`` export (DESIGN §4)."""

    guid: str
    name: str  # connector id used in REST URLs (/connectors/{name}): the output-list name
    description: str = ""  # Ds ("Omschrijving"), shown in Profit; often equal to name
    info: str | None = None  # Info ("Toelichting")
    product: str | None = None
    system: str | None = None
    code: str | None = None
    definition_type: int = 8
    # data collection
    data_collection: str | None = None  # ObId / AfasMdBaseViewId, e.g. B_Bcn00
    data_collection_name: str | None = None  # AfasMdDescription
    source_view: str | None = None  # AfasMdSourceViewId
    main_table: str | None = None  # System.Table
    main_alias: str | None = None
    view_guid: str | None = None
    grouping: bool = False
    distinct: bool = False
    use_blocked_lines: bool | None = None
    # flags
    blocked: bool = False
    visible: bool = True
    template: bool = False
    under_construction: bool = False
    apply_authorisation: bool = False
    authorisation_group: str | None = None
    condition: int | None = None
    negative_condition: int | None = None
    # who/when (local time of the environment)
    owner: str | None = None
    created_by: str | None = None
    created_at: _dt.datetime | None = None
    changed_by: str | None = None
    changed_at: _dt.datetime | None = None
    fields: tuple[GcnField, ...] = ()
    filters: tuple[GcnFilterGroup, ...] = ()
    aliases: tuple[GcnAlias, ...] = ()
    export: GcnExportInfo = field(default_factory=lambda: GcnExportInfo(format_version=8))
    localized_descriptions: dict[str, str] = field(default_factory=dict)  # lcid -> Ds_<lcid> (format 8)
    localized_infos: dict[str, str] = field(default_factory=dict)  # lcid -> Info_<lcid> (format 8)

    # ------------------------------------------------------------------------------- helpers
    def get_field(self, field_id: str) -> GcnField | None:
        for fld in self.fields:
            if fld.field_id == field_id:
                return fld
        return None

    @property
    def output_fields(self) -> tuple[GcnField, ...]:
        """Fields returned to REST clients, in output order."""
        return tuple(f for f in self.fields if f.is_output)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(f.output_name or f.field_id for f in self.output_fields)

    @property
    def sources(self) -> frozenset[str]:
        """All ``System.Table.Field`` sources read by the definition (any display kind)."""
        return frozenset(f.source for f in self.fields if f.source)

    @property
    def tables(self) -> frozenset[str]:
        """``System.Table`` of every source (computed/virtual ones included)."""
        return frozenset(t for t in (f.source_table for f in self.fields) if t)

    @property
    def join_paths(self) -> frozenset[str]:
        """Distinct join paths used by the fields (the main alias included)."""
        return frozenset(f.join_path for f in self.fields if f.join_path)

    @property
    def joins_used(self) -> int:
        """Number of distinct joined paths beyond the main table."""
        return len({p for p in self.join_paths if p != self.main_alias})

    @property
    def aggregated_fields(self) -> tuple[GcnField, ...]:
        return tuple(f for f in self.fields if f.aggregation)

    @property
    def has_filter(self) -> bool:
        return any(g.criteria for g in self.filters)

    @property
    def filter_field_ids(self) -> frozenset[str]:
        return frozenset(c.field_id for g in self.filters for c in g.criteria)

    def filter_text(self) -> str:
        """``(a AND b) OR (c)``; ``-`` without a filter."""
        if not self.filters:
            return "-"
        return " OR ".join(f"({g.text()})" for g in self.filters)
