"""Create the terms of the service and theme vocabularies (trama/network/taxonomy.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from trama.network.taxonomy import sync_terms

    sync_terms(apps.get_model("network", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("network", "0002_places_groups_directory")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
