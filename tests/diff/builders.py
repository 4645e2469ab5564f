"""Small model builders for diff tests (snapshots built in code, no I/O)."""

from __future__ import annotations

import dataclasses
from typing import Any

from afasgov.model import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)

CUSTOM = "U" + "0123456789ABCDEF" * 2


def base_snapshot(name: str = "production") -> EnvironmentSnapshot:
    """A small production-like snapshot every golden test mutates."""
    emp_fields = (
        UpdateField("EmId", "Medewerker", "string", 15, primary_key=True, mandatory=True),
        UpdateField("EmAd", "E-mail werk", "string", 80),
        UpdateField("ViGe", "Geslacht", "string", 1, values=(CodeValue("M", "Man"), CodeValue("V", "Vrouw"))),
        UpdateField("Amnt", "Bedrag", "decimal", 12, decimals=2, decimals_field_id=""),
        UpdateField("Note", "Notitie", "string", 0),
        UpdateField("NoZe", "Aantal", "int", 5),
        UpdateField(CUSTOM, "Vrij veld", "string", 40),
        UpdateField("CtTp", "Contracttype", "string", 2),
    )
    person = UpdateObject(
        "KnPerson",
        fields=(
            UpdateField("BcCo", "Nummer", "string", 15, primary_key=True),
            UpdateField("FiNm", "Voornaam", "string", 50),
        ),
        objects=(UpdateObject("KnBankAccount", fields=(UpdateField("Iban", "IBAN", "string", 34),)),),
    )
    kn_employee = UpdateConnector("KnEmployee", "Medewerker", emp_fields, (person,))
    kn_subject = UpdateConnector(
        "KnSubject", "Dossieritem", (UpdateField("SbId", "Dossieritem", "int", 9, primary_key=True),)
    )
    employees = GetConnector(
        "Profit_Employees",
        "Medewerkers",
        (
            GetField("EmId", "U001", "Medewerker", "string", 15),
            GetField("Name", "U002", "Naam", "string", 80),
            GetField("Salary", "U003", "Salaris", "decimal", 12, decimals=2),
            GetField("Kind", "U004", "Soort", "string", 10, control_type=1),
        ),
        blocked=False,
    )
    hr = AppConnectorScope(
        "hr-sync",
        app_name="HR sync",
        group="AuthorizationGroup 101 (12345.HRSYNC)",
        get_connectors=(ConnectorRef("Profit_Employees"),),
        update_connectors=(ConnectorRef("KnEmployee"), ConnectorRef("KnSubject")),
    )
    return EnvironmentSnapshot(
        name=name,
        type="production",
        tenant="12345",
        profit_version="8.1.2",
        envid="O12345AA",
        language="nl-nl",
        app_connectors={"hr-sync": hr},
        get_connectors={"Profit_Employees": employees},
        update_connectors={"KnEmployee": kn_employee, "KnSubject": kn_subject},
    )


def copy(s: EnvironmentSnapshot, name: str = "accept") -> EnvironmentSnapshot:
    return dataclasses.replace(
        s,
        name=name,
        app_connectors=dict(s.app_connectors),
        get_connectors=dict(s.get_connectors),
        update_connectors=dict(s.update_connectors),
    )


def map_update_field(
    s: EnvironmentSnapshot, connector: str, path: tuple[str, ...], field_id: str, fn: Any
) -> None:
    """Replace (``fn(field) -> field``) or drop (``fn -> None``) a field at ``path`` (object names below the
    connector)."""

    def rec(
        fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...], rest: tuple[str, ...]
    ) -> tuple[tuple[UpdateField, ...], tuple[UpdateObject, ...]]:
        if not rest:
            out = []
            for f in fields:
                if f.field_id == field_id:
                    g = fn(f)
                    if g is not None:
                        out.append(g)
                else:
                    out.append(f)
            return tuple(out), objects
        new_objects = []
        for o in objects:
            if o.name == rest[0]:
                nf, no = rec(o.fields, o.objects, rest[1:])
                o = dataclasses.replace(o, fields=nf, objects=no)
            new_objects.append(o)
        return fields, tuple(new_objects)

    c = s.update_connectors[connector]
    nf, no = rec(c.fields, c.objects, path)
    s.update_connectors[connector] = dataclasses.replace(c, fields=nf, objects=no)


def add_update_field(s: EnvironmentSnapshot, connector: str, f: UpdateField) -> None:
    c = s.update_connectors[connector]
    s.update_connectors[connector] = dataclasses.replace(c, fields=(*c.fields, f))


def map_get_field(s: EnvironmentSnapshot, connector: str, output: str, fn: Any) -> None:
    c = s.get_connectors[connector]
    fields = []
    for f in c.fields:
        if f.id == output:
            g = fn(f)
            if g is not None:
                fields.append(g)
        else:
            fields.append(f)
    s.get_connectors[connector] = dataclasses.replace(c, fields=tuple(fields))
