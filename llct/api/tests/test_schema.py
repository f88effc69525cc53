"""The published schema is valid OpenAPI 3 and the documentation page works under the strict
Content Security Policy (no inline or third-party script)."""

import re

from openapi_spec_validator import validate


def test_the_openapi_schema_validates(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/organizations",
        "/api/v1/people/{person_id}",
        "/api/v1/people/bulk",
        "/api/v1/sessions/{session_id}/attendance",
        "/api/v1/courses/{course_id}/scores",
        "/api/v1/certificates/verify",
        "/api/v1/nominations",
        "/api/v1/plans",
        "/api/v1/interchange/people.xlsx",
        "/api/v1/feeds/{code}/sessions.ics",
    ):
        assert path in paths, path


def test_writes_declare_the_idempotency_key(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/people/bulk"]["post"]
    headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}
    assert headers["Idempotency-Key"]["required"] is True


def test_the_documentation_page_needs_no_sign_in_and_no_script(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.text
    assert "/api/v1/people/bulk" in page and "rows_rejected" in page
    assert "X-LLCT-Signature" in page
    # Every script is a file of our own (served from static/): nothing inline, no CDN.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all('src="/static/' in s for s in scripts)
    assert "Content-Security-Policy" in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_documentation_page_is_vietnamese(client, db):
    page = client.get("/api/v1/docs/").text
    assert "Lỗi" in page and "Thêm hoặc cập nhật nhiều người một lần" in page
