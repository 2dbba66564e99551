"""Production settings and the docker-compose stack (there is no Docker engine here)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts manage.py (or docker-compose) in a subprocess: not in make test-fast.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-deploy-check",
    "ALLOWED_HOSTS": "attendance.example.org",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; --deploy warns on it.
    # pytest-django exports the test settings module, which turns DEBUG on: manage.py
    # must read the portal's own settings, from this environment alone.
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
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


def _debug_and_key(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env=env,
    )


def test_debug_is_off_unless_asked_for():
    """No DEBUG in the environment is production: tracebacks off, a real key required."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DEBUG"}
    result = _debug_and_key(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    without_key = {k: v for k, v in env.items() if k != "SECRET_KEY"}
    refused = _manage("check", env=without_key)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr


def test_debug_is_on_only_when_set():
    result = _debug_and_key({"DEBUG": "true", "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.mark.parametrize("debug", ["false", "true"])
def test_the_placeholder_secret_key_of_env_example_is_refused(debug):
    placeholder = _env_example()["SECRET_KEY"]
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": debug, "SECRET_KEY": placeholder})
    assert result.returncode != 0
    assert "SECRET_KEY is still the placeholder from .env.example" in result.stderr


def test_make_run_and_make_check_turn_debug_on_and_the_tests_have_it():
    from django.conf import settings

    makefile = (ROOT / "Makefile").read_text()
    for command in ("manage.py runserver", "manage.py seed_demo", "manage.py check"):
        line = next(line for line in makefile.splitlines() if command in line)
        assert line.strip().startswith("$(DEV)"), line
    assert "DEV := DEBUG=true" in makefile
    # The test settings turn it on (pytest-django then runs each test with DEBUG False).
    assert os.environ["DEBUG"] == "true"
    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")


def _compose_ports() -> list[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    found = []
    for block in re.findall(r"^\s+ports:\n((?:\s+- .*\n)+)", text, flags=re.MULTILINE):
        found += [line.strip()[2:].strip().strip('"') for line in block.splitlines()]
    return found


def test_docker_compose_publishes_the_portal_on_the_loopback_only():
    """The TLS proxy in front is the only way in; gunicorn is never on the network."""
    ports = _compose_ports()
    assert ports == ["127.0.0.1:8000:8000"]


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
    assert set(services) == {
        "web",
        "worker",
        "worker-sweep",
        "worker-letters",
        "beat",
        "db",
        "redis",
    }
    resolved = subprocess.run(
        ["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True
    ).stdout
    # docker-compose 1 prints "127.0.0.1:8000:8000/tcp", 2 a mapping with host_ip.
    assert "127.0.0.1:8000:8000" in resolved or "host_ip: 127.0.0.1" in resolved


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
