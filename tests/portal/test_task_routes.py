"""Every Celery task goes to a declared queue by a route of its own, and every declared
queue has a worker (issue 18, docs/scaling.md "Celery").

The tasks are discovered, not listed: every module of the project that defines a task
(`@shared_task` or `@app.task`) is imported, and each task it registers must match an
entry of CELERY_TASK_ROUTES. A new task without a route fails here rather than landing
on whatever queue a worker happens to read.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from attendance_portal.celery import app as project_app

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "benchmarks", "node_modules", "static", "templates", "docs"}
DEFINES_TASK = re.compile(r"@(?:shared_task|\w+\.task)\b")


def _task_modules() -> list[str]:
    modules = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIP or relative.parts[0].startswith("."):
            continue
        if DEFINES_TASK.search(path.read_text(encoding="utf-8")):
            modules.append(".".join(relative.with_suffix("").parts))
    return sorted(modules)


def _project_tasks() -> list[str]:
    for module in _task_modules():
        importlib.import_module(module)
    project_app.loader.import_default_modules()  # and whatever autodiscovery finds
    return sorted(name for name in project_app.tasks if not name.startswith("celery."))


def _explicit_route(name: str) -> dict | None:
    """The route CELERY_TASK_ROUTES gives the task itself (not the default queue)."""
    for router in project_app.amqp.router.routes:
        route = router(name)
        if route:
            return route
    return None


DECLARED = set(settings.TASK_QUEUE_NAMES)


def test_the_queues_are_the_kinds_of_work_and_the_default_is_one_of_them():
    assert {"sweep", "letters", "messages", "reports", "default"} == DECLARED
    assert {queue.name for queue in settings.CELERY_TASK_QUEUES} == DECLARED
    assert settings.CELERY_TASK_DEFAULT_QUEUE in DECLARED
    # A route naming an undeclared queue is refused when sent, never left waiting.
    assert settings.CELERY_TASK_CREATE_MISSING_QUEUES is False


def test_tasks_are_discovered_from_the_source():
    names = _project_tasks()
    # The ones the portal has today are found (a broken discovery would pass vacuously).
    assert {"escalation.sweep_school", "escalation.generate_letter"} <= set(names)
    assert "registers.register_reminders" in names
    assert {"registers.tasks", "escalation.tasks"} <= set(_task_modules())


@pytest.mark.parametrize("name", _project_tasks())
def test_every_task_is_routed_to_a_declared_queue(name):
    route = _explicit_route(name)
    assert route is not None, f"{name} matches no entry of CELERY_TASK_ROUTES (settings.py)"
    assert route["queue"] in DECLARED, f"{name} is routed to undeclared queue {route['queue']}"
    # And Celery's own router, as a send uses it, agrees.
    assert project_app.amqp.router.route({}, name)["queue"].name == route["queue"]


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("escalation.nightly_sweep", "sweep"),
        ("escalation.sweep_school", "sweep"),
        ("escalation.check_night_sweeps", "sweep"),
        # The sweep queues its letters: rendering them is letters' work, not the sweep's.
        ("escalation.queue_sweep_letters", "letters"),
        ("escalation.generate_letter", "letters"),
        ("escalation.run_letter_batch", "letters"),
        ("escalation.generate_letter_chunk", "letters"),
        ("registers.register_reminders", "messages"),
        ("escalation.requeue_stalled", "default"),
        # A parent's sign-in code is a message; deleting expired sign-in rows is upkeep.
        ("parents.send_sign_in_code", "messages"),
        ("parents.purge_expired", "default"),
    ],
)
def test_each_kind_of_work_has_its_queue(name, queue):
    assert _explicit_route(name)["queue"] == queue


def _compose_worker_queues() -> dict[str, set[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    found = {}
    for service, spec in services.items():
        command = spec.get("command") or ""
        if " worker " not in f" {command} ":
            continue
        match = re.search(r"(?:--queues[= ]|-Q ?)(\S+)", command)
        assert match, f"docker-compose's {service} consumes no named queue"
        found[service] = set(match.group(1).split(","))
    return found


def test_docker_compose_runs_one_worker_per_group_and_every_queue_has_one():
    groups = _compose_worker_queues()
    assert len(groups) >= 3, groups  # the sweep and the letters apart from the rest
    consumed = [queue for queues in groups.values() for queue in queues]
    assert sorted(consumed) == sorted(DECLARED), groups  # each queue exactly once
    assert {"sweep"} in groups.values() and {"letters"} in groups.values()


def test_a_worker_without_queues_consumes_every_declared_queue():
    """How the real-worker tests (marker `worker`) and the benchmarks start theirs."""
    assert set(project_app.amqp.queues) == DECLARED
