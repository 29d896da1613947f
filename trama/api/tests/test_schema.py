"""The OpenAPI schema is generated without warnings and validates (issue 9: "served, validated")."""

from __future__ import annotations

import yaml
from django.core.management import call_command


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/programmes/{slug}/places/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


def test_it_documents_the_error_shape_on_every_operation(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
