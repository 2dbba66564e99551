"""The schema and its browsable docs: public (they hold no data), generated from the code
without a warning, and served from our own origin (the content security policy allows no
other)."""

from __future__ import annotations

import io
import re

from django.core.management import call_command


def test_the_schema_generates_without_warnings_and_validates(db):
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def test_the_schema_and_docs_are_public_and_load_nothing_from_elsewhere(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/schools/{urn}/figures/" in schema.content
    for path in ("/api/v1/docs/",):
        page = client.get(path)
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
        assert sources and all(s.startswith("/") for s in sources), sources
