"""Schemathesis (a property-based API tester that reads the schema) against a live server:
every operation of /api/v1/schema/, with valid and invalid data, once as a pupil-level
read-write token and once as an aggregate-only token. Its checks: no 5xx, every answer
conforms to the schema (status, content type, headers, body), invalid input is refused
with 4xx and valid input accepted, a wrong method is 405, and a call without the token
is refused.

The schemathesis command runs in a subprocess (its pytest plugin does not load fixtures
under pytest 9); examples per operation are capped (SCHEMATHESIS_MAX_EXAMPLES, default
10) so that CI spends a minute or two here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_portal.api.models import ApiToken
from registers.services.imports import CsvFile
from registers.services.imports.marks import import_marks
from tests.api.conftest import make_token

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")
Level, Access = ApiToken.Level, ApiToken.Access


@pytest.fixture
def served(live_server, school, pupils, settings, tmp_path):
    settings.API_RATE_PER_MINUTE = 1_000_000  # the run is hundreds of calls a minute
    rows = ["upn,date,session,code,minutes_late,comment"]
    rows += [f"{p.upn},2025-09-08,AM,/,," for p in pupils]
    rows += [f"{p.upn},2025-09-08,PM,N,,ill?" for p in pupils]
    data = "\n".join(rows).encode()
    import_marks(school=school, file=CsvFile("m.csv", data), changed_by_name="t")
    # The school's URN in every path: random URNs would only ever meet 404.
    config = tmp_path / "schemathesis.toml"
    # A schema-valid request may still be refused: a cursor the API never gave out (400), a
    # row the import refuses (unknown UPN, a closed session: 422, as import_marks does).
    config.write_text(
        f'[parameters]\n"path.urn" = "{school.urn}"\n\n'
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["2xx", "304", "400", "401", "403", "404", "409", "422", "429"]\n'
    )
    return live_server.url, config


def _schemathesis(url: str, config: Path, token: str, report: Path) -> subprocess.CompletedProcess:
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert command, "schemathesis is in requirements.txt"
    return subprocess.run(
        [
            command,
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{url}/api/v1/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            MAX_EXAMPLES,
            "--generation-allow-x00",
            "false",
            "--generation-deterministic",
            "--seed",
            "21",
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        # schemathesis keeps a cache (.schemathesis/) in its working directory: a temporary
        # one, so `make test` leaves the checkout as it found it.
        cwd=report.parent,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["pupil_read_write", "aggregate"])
def test_the_api_keeps_to_its_schema(served, school, who, tmp_path):
    url, config = served
    if who == "pupil_read_write":
        token = make_token(school=school, level=Level.PUPIL, access=Access.READ_WRITE)
    else:
        token = make_token(school=school)
    result = _schemathesis(url, config, token, tmp_path / "junit.xml")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
