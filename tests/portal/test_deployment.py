"""Production settings and the docker-compose stack (there is no Docker engine here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-deploy-check",
    "ALLOWED_HOSTS": "attendance.example.org",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; --deploy warns on it.
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.skipif(
    not shutil.which("docker-compose") and not os.environ.get("CI"),
    reason="docker-compose is not installed (.ci/run installs it)",
)
def test_docker_compose_file_is_valid(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        ["docker-compose", "config", "--services"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.split()
    assert set(services) == {"web", "worker", "beat", "db", "redis"}


def _dockerfile_collectstatic_env() -> dict[str, str]:
    """The variables the image's `RUN … collectstatic` line sets, e.g. DEBUG=false."""
    line = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if "collectstatic" in line
    )
    words = line.removeprefix("RUN").split()
    return dict(w.split("=", 1) for w in words[: words.index("python")])


def test_the_image_collects_static_files_that_production_can_serve(tmp_path):
    """The image's own collectstatic step, then a page rendered with DEBUG off: the manifest
    storage needs its staticfiles.json, and refuses to collect a file that references a
    missing one (a vendored library's source map once did; every page was then a 500)."""
    collect_env = {**_dockerfile_collectstatic_env(), "STATIC_ROOT": str(tmp_path)}
    assert collect_env["DEBUG"] == "false"
    collected = _manage("collectstatic", "--noinput", env=collect_env)
    assert collected.returncode == 0, collected.stderr + collected.stdout
    assert (tmp_path / "staticfiles.json").exists()

    page = _manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.test import Client; "
        "r = Client().get('/accounts/login/', secure=True); "
        "print(r.status_code, r.content.decode())",
        env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path), "ALLOWED_HOSTS": "testserver"},
    )
    assert page.returncode == 0, page.stderr
    status, html = page.stdout.split(" ", 1)
    assert status == "200", page.stderr[-2000:]
    # Hashed names, so browsers can cache them for a year.
    assert re.search(r'/static/vendor/bootstrap-5\.3\.9\.min\.[0-9a-f]{12}\.css"', html)
