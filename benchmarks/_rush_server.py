"""gunicorn configuration of benchmarks.rush: each worker lives at RUSH_NOW (a Monday at
08:45 in term), so "today's register" is open for the teachers. time-machine moves
datetime and time.time only; gunicorn's worker heartbeat uses time.monotonic."""

from __future__ import annotations

import datetime as dt
import os


def post_fork(server, worker) -> None:
    import time_machine

    worker.rush_travel = time_machine.travel(dt.datetime.fromisoformat(os.environ["RUSH_NOW"]))
    worker.rush_travel.start()
