"""Benchmark: the 08:45 rush (issue 22). Sixty teachers open, save and re-open their
class register at once, against the portal as production runs it.

A database of its own (RUSH_DATABASE_URL, by default `attendance_rush` on the benchmark
server), rebuilt every run: a secondary school with one form of `--pupils` pupils per
teacher, on Monday 8 December 2025 at 08:45. The server is gunicorn with `--workers`
sync workers (3), production settings (DEBUG off, manifest static files, secure cookies
behind X-Forwarded-Proto: https), living at that Monday (benchmarks._rush_server).

The load client is a bounded Python script with one thread per teacher, on this machine:
5 teachers start, then the rest ramp to 30 and to 60 over `--ramp` seconds each; each
teacher repeats open, save and re-open of today's AM register until `--duration` seconds
have passed since the start (at least once), each save after the first recording one
late arrival (an amendment with a reason). Every request is timed client-side.

Afterwards the database is checked: each register's version equals the saves its teacher
saw succeed (every save is there exactly once), its pupils have one mark each, equal to
the last save, and one amendment per save after the first.

Floor: the same client, threads and ramp against /healthz (the stack's least work per
request: gunicorn, Django's middleware and a SELECT 1). Sign-in: the password hasher's
cost in this process, one sign-in through gunicorn at a time, and ten at once.

    python -m benchmarks.rush [--teachers 60 --pupils 30 --workers 3 --ramp 10
                               --duration 60] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse
from zoneinfo import ZoneInfo

from benchmarks import forms_and_pupils, pupil_flags, write_section

HEADING = "## The 08:45 rush"
ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2025, 12, 8, 8, 45, tzinfo=LONDON)  # a Monday of Autumn 2
URN = "900022"
SECRET = "rush-benchmark-only-not-a-real-key"  # noqa: S105
PASSWORD = "rush-sign-in-2026"  # noqa: S105
SIGNERS = 10
REASON = "Arrived late"


def rush_url() -> str:
    if os.environ.get("RUSH_DATABASE_URL"):
        return os.environ["RUSH_DATABASE_URL"]
    from benchmarks import trust

    return urlunparse(urlparse(trust.bench_url())._replace(path="/attendance_rush"))


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    server = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "dbname": "postgres",
    }
    if parts.password:
        server["password"] = parts.password
    conn = psycopg2.connect(**server)
    conn.autocommit = True
    name = parts.path.lstrip("/")
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def production_env(url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "attendance_portal.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "LOG_LEVEL": "WARNING",
        "RUSH_NOW": NOW.isoformat(),
    }


# --- The school -----------------------------------------------------------------------


@dataclass
class Built:
    school_id: int
    forms: list[int]  # one per teacher
    sessions: list[str]  # each teacher's session cookie
    signers: list[str]  # usernames with PASSWORD
    encoded: str  # one stored password hash
    seconds: float


def build(teachers: int, per_form: int) -> Built:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from registers.models import AcademicYear, Form, HalfTerm, Membership, School
    from registers.services.calendar import rebuild_school_days

    started = time.perf_counter()
    rng = random.Random(2022)
    school = School.objects.create(urn=URN, name="Rush Academy", phase="secondary")
    year = AcademicYear.objects.create(school=school, start_year=2025)
    for name, start, end in (
        ("Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 24)),
        ("Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19)),
    ):
        HalfTerm.objects.create(
            school=school, academic_year=year, name=name, start_date=start, end_date=end
        )
    rebuild_school_days(school=school)
    forms_and_pupils(
        school,
        forms=teachers,
        pupils=teachers * per_form,
        fields=lambda n: {"gender": "FM"[n % 2], **pupil_flags(rng)},
    )
    forms = list(Form.objects.filter(school=school).order_by("pk"))
    users = get_user_model().objects
    sessions = []
    for n, form in enumerate(forms):
        user = users.create_user(f"rush-teacher-{n}")  # no password: signed in below
        member = Membership.objects.create(user=user, school=school, role=Membership.Role.TEACHER)
        member.forms.add(form)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    signers = []
    for n in range(SIGNERS):  # real passwords, hashed as production hashes them
        user = users.create_user(f"rush-signer-{n}", password=PASSWORD)
        Membership.objects.create(user=user, school=school, role=Membership.Role.TEACHER)
        signers.append(user.username)
    encoded = users.get(username=signers[0]).password
    return Built(
        school.pk, [f.pk for f in forms], sessions, signers, encoded, time.perf_counter() - started
    )


# --- The client -----------------------------------------------------------------------

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
PUPIL = re.compile(r'name="p(\d+)-code"')


def hidden_fields(page: str) -> dict[str, str]:
    found = {}
    for tag in INPUT.findall(page):
        attrs = dict(ATTRIBUTE.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            found[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return found


class Browser:
    """One teacher's browser: its own cookies, one connection per request (gunicorn's
    sync workers close each), HTTPS as the proxy tells it."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, data: dict | None = None):
        origin = f"https://127.0.0.1:{self.port}"
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urlencode(data)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            }
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        took = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";")[0]
        return response.status, response.getheader("Location") or "", text, took


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, took: float, error: str = "") -> None:
        with self.lock:
            self.timings.setdefault(kind, []).append(took)
            if error:
                self.errors.append(f"{kind}: {error}")

    def all(self) -> list[float]:
        return [t for values in self.timings.values() for t in values]


def teacher_round(
    browser: Browser, path: str, k: int, state: dict, tally: Tally, saves: list
) -> None:
    """Open, save, re-open. The first save marks everyone present; each later one records
    one more late arrival (or a corrected number of minutes): exactly one mark changes, an
    amendment with a reason. `state` is what the teacher last saved."""
    status, _, page, took = browser.request("GET", path)
    tally.add("open", took, "" if status == 200 else f"status {status}")
    if status != 200:
        return
    pupils = [int(pk) for pk in PUPIL.findall(page)]
    data = hidden_fields(page)
    data["reason"] = ""
    wanted = {pk: state.get(pk, ("/", "")) for pk in pupils}
    if k > 0:
        # Minutes from 5 to 29: L is refused once the register has closed (30 minutes, the
        # default policy); the pupil's minutes still differ from the ones it had 30 saves ago.
        wanted[pupils[(k - 1) % len(pupils)]] = ("L", str(5 + k % 25))
        data["reason"] = REASON
    for pk, (code, minutes) in wanted.items():
        data |= {f"p{pk}-code": code, f"p{pk}-minutes_late": minutes, f"p{pk}-comment": ""}
    status, location, text, took = browser.request("POST", path, data)
    saved = status == 302 and location.endswith(path)
    tally.add("save", took, "" if saved else f"status {status} {text[:200]!r}")
    if saved:
        state.clear()
        state.update(wanted)
        saves.append(dict(wanted))
    status, _, page, took = browser.request("GET", path)
    ok = status == 200 and (not saved or "Saved the AM register" in page)
    tally.add("re-open", took, "" if ok else f"status {status}")


def start_times(teachers: int, ramp: float) -> list[float]:
    """5 at once, then up to 30 over `ramp` seconds, then up to 60 over the next `ramp`."""
    times = []
    for n in range(teachers):
        if n < 5:
            times.append(0.0)
        elif n < 30:
            times.append(ramp * (n - 4) / 25)
        else:
            times.append(ramp + ramp * (n - 29) / max(1, teachers - 30))
    return times


def rush(port: int, built: Built, *, urn: str, ramp: float, duration: float):
    from django.urls import reverse

    day = NOW.date()
    paths = [reverse("registers:take", args=[urn, pk, day, "AM"]) for pk in built.forms]
    tally = Tally()
    saves: list[list] = [[] for _ in paths]
    starts = start_times(len(paths), ramp)
    began = time.monotonic()

    def run(n: int) -> None:
        time.sleep(starts[n])
        browser = Browser(port, {"sessionid": built.sessions[n]})
        state: dict = {}
        k = 0
        while k == 0 or time.monotonic() - began < duration:
            try:
                teacher_round(browser, paths[n], k, state, tally, saves[n])
            except (OSError, http.client.HTTPException) as exc:
                tally.add("save", 0.0, f"{type(exc).__name__}: {exc}")
            k += 1

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 300)  # bounded: a hung server cannot hold the run forever
    wall = time.monotonic() - began
    return tally, saves, wall


def floor(port: int, teachers: int, *, ramp: float, duration: float):
    tally = Tally()
    starts = start_times(teachers, ramp)
    began = time.monotonic()

    def run(n: int) -> None:
        time.sleep(starts[n])
        browser = Browser(port)
        while time.monotonic() - began < duration:
            status, _, _, took = browser.request("GET", "/healthz")
            tally.add("healthz", took, "" if status == 200 else f"status {status}")

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(teachers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    return tally, time.monotonic() - began


def check_database(built: Built, saves: list[list]) -> list[str]:
    """Every save is there exactly once: the register's version counts the saves the
    teachers saw succeed, the marks are the last save's, one amendment per later save."""
    from registers.models import Mark, MarkAmendment, Register

    problems = []
    day = NOW.date()
    for form_id, done in zip(built.forms, saves, strict=True):
        register = Register.objects.filter(form_id=form_id, date=day, session="AM").first()
        version = register.version if register else 0
        if version != len(done):
            problems.append(f"form {form_id}: version {version}, {len(done)} saves seen")
        marks = {
            m.pupil_id: (m.code_id, str(m.minutes_late or ""))
            for m in Mark.objects.filter(pupil__form_id=form_id, date=day, session="AM")
        }
        count = Mark.objects.filter(pupil__form_id=form_id, date=day, session="AM").count()
        if done and (marks != done[-1] or count != len(done[-1])):
            problems.append(f"form {form_id}: marks differ from the last save")
        amendments = MarkAmendment.objects.filter(
            mark__pupil__form_id=form_id, mark__date=day, mark__session="AM"
        ).count()
        if amendments != max(0, len(done) - 1):
            problems.append(f"form {form_id}: {amendments} amendments for {len(done)} saves")
    return problems


def sign_ins(port: int, built: Built) -> dict[str, float]:
    """The hasher in process; one sign-in at a time through gunicorn; ten at once."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, get_hasher

    hasher = get_hasher()
    in_process = []
    for _ in range(5):
        started = time.perf_counter()
        assert check_password(PASSWORD, built.encoded)
        in_process.append(time.perf_counter() - started)

    def sign_in(username: str) -> float:
        browser = Browser(port)
        status, _, page, took = browser.request("GET", "/accounts/login/")
        data = hidden_fields(page) | {"username": username, "password": PASSWORD}
        status, _, _, took = browser.request("POST", "/accounts/login/", data)
        if status != 302:
            raise AssertionError(f"sign-in of {username}: status {status}")
        return took

    one_at_a_time = [sign_in(name) for name in built.signers[:5]]
    burst: list[float] = []
    threads = [
        threading.Thread(target=lambda n=n: burst.append(sign_in(n)), daemon=True)
        for n in built.signers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return {
        "algorithm": hasher.algorithm,
        "iterations": getattr(hasher, "iterations", PBKDF2PasswordHasher.iterations),
        "hash_ms": statistics.median(in_process) * 1000,
        "one_ms": statistics.median(one_at_a_time) * 1000,
        "burst_p50_ms": statistics.median(burst) * 1000 if burst else 0.0,
        "burst_max_ms": max(burst) * 1000 if burst else 0.0,
        "burst_n": len(burst),
    }


# --- The server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "attendance_portal.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--config",
            "python:benchmarks._rush_server",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Browser(port).request("GET", "/healthz")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within a minute")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(args, built: Built, tally: Tally, wall: float, saves, problems, base, base_wall, signin):
    everything = tally.all()
    requests = len(everything)
    floor_all = base.all()
    p50, p95 = statistics.median(everything), percentile(everything, 0.95)
    f50, f95 = statistics.median(floor_all), percentile(floor_all, 0.95)
    saved = sum(len(s) for s in saves)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    target = "✔" if p95 < 1.5 and not tally.errors else "✘"
    rows = [
        "| what | requests | p50 | p95 | floor p50 | floor p95 | ratio (p95) | notes |",
        "|---|---|---|---|---|---|---|---|",
        f"| All requests (open, save, re-open) | {requests:,} | {ms(p50)} | {ms(p95)} | "
        f"{ms(f50)} | {ms(f95)} | {p95 / f95:.1f}x | {requests / wall:.1f} requests/s, "
        f"{len(tally.errors)} errors; target p95 < 1.5 s and 0 errors {target} |",
    ]
    for kind in ("open", "save", "re-open"):
        values = tally.timings.get(kind, [])
        rows.append(
            f"| {kind.capitalize()} the register | {len(values):,} | "
            f"{ms(statistics.median(values)) if values else '–'} | {ms(percentile(values, 0.95))} "
            f"| {ms(f50)} | {ms(f95)} | {percentile(values, 0.95) / f95:.1f}x | |"
        )
    rows.append(
        f"| Floor: GET /healthz, same threads and ramp | {len(floor_all):,} | {ms(f50)} | "
        f"{ms(f95)} | | | 1.0x | {len(floor_all) / base_wall:.1f} requests/s |"
    )
    check = (
        f"✔ all {len(built.forms)} registers: version = saves seen ({saved:,} saves), "
        "marks = the last save, one amendment per later save"
        if not problems
        else "✘ " + "; ".join(problems[:5])
    )
    lines = [
        HEADING,
        "",
        f"`python -m benchmarks.rush` (part of `make bench`), {dt.date.today():%-d %B %Y}: "
        f"{len(built.forms)} teachers, each with a form of {args.pupils} pupils, open, save and "
        "re-open today's AM register (Monday 8 December 2025, 08:45), ramping 5 → 30 → "
        f"{len(built.forms)} teachers over {2 * args.ramp:.0f} s and repeating until "
        f"{args.duration:.0f} s have passed ({wall:.0f} s in all). Server: gunicorn, "
        f"{args.workers} sync workers, production settings (DEBUG off), PostgreSQL; client: a "
        "bounded Python script, one thread per teacher, on the same machine "
        f"({os.cpu_count()} CPUs, Python {platform.python_version()}; load average after: "
        f"{load}). Times are client-side, connection to response read.",
        "",
        *rows,
        "",
        f"Saves: {saved:,} ({saved / wall:.1f} a second). Database check afterwards: {check}.",
    ]
    if tally.errors:
        lines.append(f"Errors (first 3): {'; '.join(tally.errors[:3])}")
    if args.load_before > (os.cpu_count() or 1):
        lines += [
            "",
            f"Caution: the load average was {args.load_before:.1f} on {os.cpu_count()} CPUs "
            "before the run (the machine is shared): the server got a fraction of the "
            "cores, so the times above are several times those of an idle machine. Read "
            "the database check, the errors and the ratio to the floor first.",
        ]
    lines += [
        "",
        "Where the time goes: the server time of a request is mostly rendering the "
        "register page (issue 22 measured 200–270 ms of it for 30 pupils, ~95% in the "
        "widget templates), not the save; the page's rendering has its own benchmark.",
    ]
    lines += [
        "",
        "Sign-in (Django's default hasher, "
        f"{signin['algorithm']} with {signin['iterations']:,} iterations): "
        f"{signin['hash_ms']:,.0f} ms to check one password in process; "
        f"{signin['one_ms']:,.0f} ms per sign-in through gunicorn, one at a time; "
        f"{signin['burst_n']} at once: p50 {signin['burst_p50_ms']:,.0f} ms, slowest "
        f"{signin['burst_max_ms']:,.0f} ms.",
        "",
        "What we chose, and why: the hasher stays Django's default. A teacher signs in once "
        "a working day (a session lasts 8 hours), so the 08:45 rush is register pages, not "
        "sign-ins, and a morning absorbs the wait of a handful of teachers signing in at "
        "the same moment. That cost is what makes a stolen password table slow to crack "
        "(OWASP's floor for PBKDF2-SHA256 is 600,000 iterations): lowering it would save a "
        "few hundred milliseconds per sign-in and weaken every stored password, and Argon2 "
        "would add a native dependency for a similar cost. If sign-ins ever queue behind "
        "each other, the answer is more web workers (or cores), not fewer iterations.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=60)
    parser.add_argument("--pupils", type=int, default=30, help="pupils per form")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds per ramp stage")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--write", action="store_true")
    args, _ = parser.parse_known_args(argv)
    args.load_before = os.getloadavg()[0]
    url = rush_url()
    if not url.startswith("postgres"):
        sys.exit("The rush benchmark needs PostgreSQL: set RUSH_DATABASE_URL.")
    recreate_database(url)
    static_root = tempfile.mkdtemp(prefix="rush-static-")
    env = production_env(url, static_root)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "CACHE_URL")})
    os.environ.update(DJANGO_SETTINGS_MODULE="attendance_portal.settings", CELERY_BROKER_URL="")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    built = build(args.teachers, args.pupils)
    print(f"built the school in {built.seconds:.0f} s", flush=True)
    server, port = start_gunicorn(env, args.workers)
    try:
        base, base_wall = floor(port, args.teachers, ramp=args.ramp, duration=args.ramp * 2 + 10)
        print(f"floor: {len(base.all())} requests; the rush starts", flush=True)
        tally, saves, wall = rush(port, built, urn=URN, ramp=args.ramp, duration=args.duration)
        signin = sign_ins(port, built)
    finally:
        server.terminate()
        server.wait(30)
    problems = check_database(built, saves)
    section = report(args, built, tally, wall, saves, problems, base, base_wall, signin)
    print(section, flush=True)
    if args.write:
        write_section(section, HEADING)
    return 1 if problems or tally.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
