"""Load the committed ISTAT reference file, so every database starts with all municipalities."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from trama.territory.reference import sync_municipalities

    sync_municipalities(apps.get_model("territory", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
