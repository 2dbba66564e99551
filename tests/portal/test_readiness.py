"""/healthz is liveness (the database answers), /readyz readiness (the database, the
cache and the broker answer), and docker-compose uses the second (issue 22)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection
from django.test import override_settings
from django.urls import reverse

from attendance_portal.celery import app as project_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_url():
    """Point the project's app at a broker (not eager) for one test."""
    saved = {key: project_app.conf[key] for key in ("task_always_eager", "broker_url")}

    def _use(url: str) -> None:
        project_app.conf.update(task_always_eager=False, broker_url=url)

    yield _use
    project_app.conf.update(saved)


def test_readyz_is_ok_when_everything_answers(client, db):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_readyz_names_a_broker_that_refuses_but_healthz_stays_ok(client, db, broker_url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broker_url(f"redis://127.0.0.1:{port}/0")
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert "refused" in body["checks"]["broker"].lower()
    assert client.get(reverse("healthz")).status_code == 200  # liveness: still alive


def test_readyz_names_a_cache_that_is_down(client, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    with override_settings(CACHES=down):  # restored before the suite clears the cache
        response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] != "ok"


def test_database_connections_are_health_checked_before_reuse():
    assert django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres_only
def test_a_connection_the_database_dropped_is_replaced_before_a_request_uses_it(
    transactional_db,
):
    """What Django does at the start of every request (close_old_connections): with
    health checks, a persistent connection the server dropped is replaced; without, the
    request's first query fails (a 500 per gunicorn worker after a database restart)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_terminate_backend)")
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    with other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    close_old_connections()  # the request_started signal's handler
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection.get_backend_pid() != pid


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_compose_checks_readiness_and_recycles_worker_children(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    config = subprocess.run(
        ["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    web = config[config.index("\n  web:") :]
    assert "/readyz" in web and "/healthz" not in web.split("\n  worker:")[0]
    worker = config[config.index("\n  worker:") :]
    assert "--max-tasks-per-child=" in worker and "--max-memory-per-child=" in worker
