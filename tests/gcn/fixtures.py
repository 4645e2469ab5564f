"""Project-authored .gcn fixtures: built with afasgov's own writer, never copied from the corpus."""

from __future__ import annotations

from typing import Any

from afasgov.gcn.build import build_gcn

EMPLOYEES: dict[str, Any] = {
    "name": "Demo_Employees",
    "description": "Demo - employees",
    "info": "Medewerkers voor de IAM-koppeling",
    "system": "Kn",
    "product": "Hrm",
    "data_collection": {
        "id": "B_Bcn00",
        "name": "Organisaties/Personen",
        "main_table": "Kn.Bcn",
        "main_alias": "Bcn",
        "source_view": "S_Bcn00",
    },
    "fields": [
        {"id": "U001", "source": "Kn.Bcn.BcCo", "output_name": "PersonId", "label": "Persoonsnummer"},
        {"id": "U002", "source": "Kn.Emp.Nm", "join_path": "Bcn.KnEmp2", "output_name": "Name"},
        {"id": "U003", "source": "Kn.Bcn.EmAd", "output_name": "Email", "column_header": "E-mail"},
        {"id": "U004", "source": "Kn.Bcn.Bl", "display": "filter-only"},
        {"id": "U005", "source": "Kn.Emp.DaBi", "join_path": "Bcn.KnEmp2", "output_name": "BirthDate"},
    ],
    "filters": [[{"field": "U004", "operator": "=", "value": "0"}]],
    "apply_authorisation": True,
    "authorisation_group": "VTR",
    "created_by": "demo.admin",
    "created_at": "2025-01-06T09:00:00",
    "changed_by": "demo.admin",
    "changed_at": "2025-01-20T10:30:00",
    "exported_at": "2025-01-21T16:52:12",
}


def spec(**changes: Any) -> dict[str, Any]:
    out = dict(EMPLOYEES)
    out.update(changes)
    return out


def employees_gcn(**changes: Any) -> bytes:
    return build_gcn(spec(**changes))
