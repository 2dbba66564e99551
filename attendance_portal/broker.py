"""Sending Celery tasks without ever making a page wait on the broker (issue 22).

A task is sent after the transaction that wrote its row commits (send_on_commit), on a
connection of its own with short socket timeouts and no retry, from a short-lived thread
the caller waits on for at most BROKER_PUBLISH_TIMEOUT (a quarter of a second): a broker
that refuses costs a millisecond, one that accepts and never answers a quarter of a second,
never gunicorn's 30 s. (The thread is the hard bound: redis-py retries a timed-out connect
on its own, which kombu gives no way to turn off; the thread gives up by itself within
seconds.) A send that fails is logged and forgotten here: the row it
was for (a letter batch "queued", a letter "pending", a night without a finished sweep) is
the outbox, and the periodic jobs of escalation.services.recovery send it again.

In eager mode (no CELERY_BROKER_URL: development and most tests) the task runs at once,
in process, exactly as `task.delay` does.
"""

from __future__ import annotations

import logging
import threading
from functools import partial

from django.conf import settings
from django.db import transaction

from attendance_portal.celery import app as project_app

log = logging.getLogger(__name__)


SOCKET_TIMEOUT = 1.0  # the sending thread's own bound on each connect and read


def publish_timeout() -> float:
    """How long a caller waits for the broker to take a task."""
    return float(getattr(settings, "BROKER_PUBLISH_TIMEOUT", 0.25))


def _connection(app):
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": SOCKET_TIMEOUT,
        "max_retries": 0,  # kombu: one connection attempt, never a retry loop
    }
    return app.connection_for_write(connect_timeout=SOCKET_TIMEOUT, transport_options=options)


def _within(seconds: float, work) -> str:
    """Run `work` in a daemon thread, waiting at most `seconds`: "" when it finished in
    time, else what went wrong. A thread still waiting on a silent broker is left to time
    out by itself (SOCKET_TIMEOUT)."""
    outcome: dict[str, str] = {}

    def run() -> None:
        try:
            work()
            outcome["error"] = ""
        except Exception as exc:  # reported to the caller, never raised in the thread
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    thread = threading.Thread(target=run, name="broker-send", daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome.get("error", f"no answer from the broker within {seconds:.2f} s")


def send(task, *args) -> bool:
    """Send `task(*args)` now; False (logged) when the broker did not take it in time."""
    app = task.app
    # Eager or not is the project's app's setting, not that of whichever app the task
    # object was bound to: a test's worker app made current (tests/*/test_worker.py) left
    # later sends publishing to its broker with no worker to run them.
    if project_app.conf.task_always_eager:
        if app.conf.task_always_eager:
            task.delay(*args)
        else:  # bound to another app (a test's worker app): run it here, as eager does
            task.apply(args=args, throw=project_app.conf.task_eager_propagates)
        return True

    def publish() -> None:
        with _connection(app) as connection:
            task.apply_async(args, connection=connection, retry=False)

    error = _within(publish_timeout(), publish)
    if error:
        # The thread may still deliver it late; if not, the periodic re-queue sends it.
        log.warning("%s%r not confirmed by the broker: %s", task.name, args, error)
    return not error


def send_on_commit(task, *args) -> None:
    """Send `task(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send, task, *args))


def check(app) -> str:
    """ "" when the broker answers a ping within a second, else what went wrong. Eager
    mode has no broker to check."""
    if app.conf.task_always_eager:
        return ""

    def ping() -> None:
        with _connection(app) as connection:
            connection.default_channel.client.ping()

    return _within(max(publish_timeout(), 1.0), ping)
