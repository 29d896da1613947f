"""The committed reference file of Italian municipalities (built by scripts/build_municipalities.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"


def read_municipalities(path: Path = MUNICIPALITIES_CSV) -> Iterator[dict[str, Any]]:
    """Rows of the reference file as keyword arguments for `Municipality`."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {
                "istat_code": row["istat_code"],
                "cadastral_code": row["cadastral_code"],
                "name": row["name"],
                "province_code": row["province_code"],
                "province_name": row["province_name"],
                "region_name": row["region_name"],
                "population": int(row["population"]) if row["population"] else None,
                "population_year": int(row["population_year"]) if row["population_year"] else None,
                "population_source": row["population_source"],
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "coordinates_source": row["coordinates_source"],
            }


def sync_municipalities(model: Any, path: Path = MUNICIPALITIES_CSV) -> tuple[int, int]:
    """Insert new municipalities and refresh known ones from the file; returns (created, updated).

    Takes the model as an argument so the data migration can pass its historical model.
    Municipalities that left the file (merged comuni) are kept: programmes may still refer to them.
    """
    existing = {m.istat_code: m for m in model.objects.all()}
    to_create, to_update = [], []
    fields = [
        "cadastral_code", "name", "province_code", "province_name", "region_name", "population",
        "population_year", "population_source", "latitude", "longitude", "coordinates_source",
    ]  # fmt: skip
    for row in read_municipalities(path):
        current = existing.get(row["istat_code"])
        if current is None:
            to_create.append(model(**row))
        elif any(getattr(current, field) != row[field] for field in fields):
            for field in fields:
                setattr(current, field, row[field])
            to_update.append(current)
    model.objects.bulk_create(to_create, batch_size=1000)
    model.objects.bulk_update(to_update, fields, batch_size=1000)
    return len(to_create), len(to_update)
