"""Hypothesis strategies for canonical models (as normalisation produces them)."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from afasgov.model import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    SnapshotMeta,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)

#: any text a JSON document can carry (no lone surrogates: normalisation replaces them)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
tricky = st.sampled_from(
    [
        "",
        "yes",
        "No",
        "null",
        "~",
        "0",
        "01",
        "1e3",
        "1.5",
        "2024-01-01",
        ": x",
        "- a",
        "#c",
        " lead",
        "trail ",
        "a: b",
        "'q'",
        '"d"',
        "\\",
        "\n",
        "\r\n",
        "\x85",
        "\u2028",
        "\ufeff",
        "😀",
        "é ü",
        "tab\there",
        "\x00",
        "\x7f",
        "on",
        "<<",
        "=",
        "!tag",
        "&a",
        "*a",
        "[x]",
        "{y}",
        "%",
        "@",
        "`",
    ]
)
any_text = st.one_of(texts, tricky)
idents = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=10)
connector_ids = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,15}", fullmatch=True)
ints = st.integers(-(2**40), 2**40)

code_values = st.lists(
    st.builds(CodeValue, id=any_text, description=any_text), max_size=3, unique_by=lambda c: c.id
).map(tuple)

update_fields = st.builds(
    UpdateField,
    field_id=st.one_of(idents, any_text.filter(bool)),
    label=any_text,
    data_type=st.sampled_from(["string", "int", "decimal", "boolean", "date", "blob", "guid"]),
    length=ints,
    decimals=ints,
    decimals_field_id=any_text,
    mandatory=st.booleans(),
    primary_key=st.booleans(),
    not_zero=st.booleans(),
    control_type=ints,
    values=st.none() | code_values,
)


def _unique_fields(draw_list: list[UpdateField]) -> tuple[UpdateField, ...]:
    return tuple(draw_list)


field_lists = st.lists(update_fields, max_size=4, unique_by=lambda f: f.field_id).map(tuple)

objects = st.recursive(
    st.builds(UpdateObject, name=idents, fields=field_lists),
    lambda children: st.builds(
        UpdateObject,
        name=idents,
        fields=field_lists,
        objects=st.lists(children, max_size=2, unique_by=lambda o: o.name).map(tuple),
    ),
    max_leaves=4,
)


@st.composite
def update_connectors(draw: st.DrawFn, cid: str | None = None) -> UpdateConnector:
    return UpdateConnector(
        id=cid or draw(connector_ids),
        description=draw(any_text),
        fields=draw(field_lists),
        objects=tuple(draw(st.lists(objects, max_size=2, unique_by=lambda o: o.name))),
    )


get_fields = st.builds(
    GetField,
    id=st.one_of(idents, any_text.filter(bool)),
    field_id=any_text,
    label=any_text,
    data_type=st.sampled_from(["string", "int", "decimal", "boolean", "date"]),
    length=ints,
    decimals=ints,
    decimals_field_id=any_text,
    control_type=ints,
)


@st.composite
def get_connectors(draw: st.DrawFn, cid: str | None = None) -> GetConnector:
    return GetConnector(
        id=cid or draw(connector_ids),
        description=draw(any_text),
        fields=tuple(draw(st.lists(get_fields, max_size=4, unique_by=lambda f: f.id))),
        blocked=draw(st.none() | st.booleans()),
    )


def refs(ids: list[str]) -> st.SearchStrategy[tuple[ConnectorRef, ...]]:
    """A sorted selection of ``ids`` (an App Connector lists only connectors that are in the tree)."""
    if not ids:
        return st.just(())
    return st.lists(
        st.builds(ConnectorRef, id=st.sampled_from(ids), description=any_text), max_size=4, unique_by=lambda r: r.id
    ).map(lambda rs: tuple(sorted(rs, key=lambda r: r.id)))


@st.composite
def app_scopes(
    draw: st.DrawFn, name: str, get_ids: list[str] | None = None, update_ids: list[str] | None = None
) -> AppConnectorScope:
    return AppConnectorScope(
        name=name,
        app_name=draw(any_text),
        group=draw(any_text),
        token_expiry=draw(st.none() | any_text),
        envid=draw(any_text),
        auth_type=draw(st.sampled_from(["classic", "oauth/client_secret_post", ""])),
        get_connectors=draw(refs(get_ids or [])),
        update_connectors=draw(refs(update_ids or [])),
    )


def _casefold_unique(ids: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for i in ids:
        seen.setdefault(i.lower(), i)
    return list(seen.values())


@st.composite
def snapshots(draw: st.DrawFn) -> EnvironmentSnapshot:
    name = draw(connector_ids)
    app_names = _casefold_unique(draw(st.lists(connector_ids, max_size=3)))
    get_ids = _casefold_unique(draw(st.lists(connector_ids, max_size=3)))
    update_ids = _casefold_unique(draw(st.lists(connector_ids, max_size=3)))
    return EnvironmentSnapshot(
        name=name,
        type=draw(st.sampled_from(["production", "test", "accept"])),
        tenant=draw(any_text),
        profit_version=draw(any_text),
        envid=draw(any_text),
        language=draw(any_text),
        app_connectors={n: draw(app_scopes(n, get_ids, update_ids)) for n in app_names},
        get_connectors={c: draw(get_connectors(c)) for c in get_ids},
        update_connectors={c: draw(update_connectors(c)) for c in update_ids},
        meta=SnapshotMeta(
            taken_at=draw(any_text),
            afasgov_version=draw(any_text),
            base_url=draw(any_text),
            language=draw(any_text),
            warnings=tuple(draw(st.lists(any_text, max_size=2))),
        ),
    )
