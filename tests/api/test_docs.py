"""The OpenAPI schema and the interactive docs page."""

from __future__ import annotations

import json
import re

OPERATIONS = {
    ("/api/v1/me", "get"): {"200", "401"},
    ("/api/v1/units", "get"): {"200", "401", "422"},
    ("/api/v1/units", "post"): {"201", "400", "401", "403", "422"},
    ("/api/v1/units/{unit_id}", "get"): {"200", "401", "404", "422"},
    ("/api/v1/units/{unit_id}", "patch"): {"200", "400", "401", "403", "404", "422"},
    ("/api/v1/areas", "get"): {"200", "401", "422"},
    ("/api/v1/areas/{area_id}", "get"): {"200", "401", "404", "422"},
    ("/api/v1/tips", "get"): {"200", "401", "422"},
    ("/api/v1/tips", "post"): {"200", "201", "400", "401", "403", "422"},
    ("/api/v1/tips/{tip_id}", "get"): {"200", "401", "404", "422"},
    ("/api/v1/tips/{tip_id}/transition", "post"): {"200", "400", "401", "403", "404", "422"},
    ("/api/v1/tips/{tip_id}/assign", "post"): {"200", "400", "401", "403", "404", "422"},
    ("/api/v1/tips/{tip_id}/messages", "get"): {"200", "401", "404", "422"},
    ("/api/v1/tips/{tip_id}/messages", "post"): {"201", "400", "401", "403", "404", "422"},
    ("/api/v1/tip-categories", "get"): {"200"},
    ("/api/v1/cases", "get"): {"200", "401", "422"},
    ("/api/v1/cases/overdue", "get"): {"200", "401", "422"},
    ("/api/v1/cases/{case_id}", "get"): {"200", "401", "404", "422"},
}


def test_the_openapi_schema_lists_every_operation_with_its_error_codes(client, db) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    operations = {
        (path, method): op for path, item in schema["paths"].items() for method, op in item.items()
    }
    assert set(operations) == set(OPERATIONS)
    for key, op in operations.items():
        assert set(op["responses"]) == OPERATIONS[key], key
        assert op["summary"] and op["description"]
        for status, answer in op["responses"].items():
            ref = answer["content"]["application/json"]["schema"]["$ref"]
            if status >= "400":
                assert ref == "#/components/schemas/ErrorOut"


def test_the_openapi_schema_declares_the_three_ways_to_authenticate(client, db) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert {s.get("in") for s in schemes.values()} == {None, "header", "cookie"}


def test_the_docs_page_uses_the_vendored_static_files(client, db) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(url.startswith("/static/") for url in assets), assets
    assert "cdn" not in html.lower()
