"""The permission matrix: every URL of the portal, every persona, GET and POST.

Each row of ROWS names one URL pattern, how to fill its arguments from the test world
(tests/portal/world.py) and the exact answer each persona gets. A URL pattern the resolver
knows but ROWS does not fails test_every_url_has_a_row, so a new page cannot ship without
someone deciding who may open it.

Two more personas, "la_lead" (the local authority of the world's school) and "other_la"
(another local authority), are answered as the governor and the outsider are unless a
row says otherwise (`la_get`, `la_post`): a local authority sees aggregates only, as a
governor does, and another authority's member is an outsider. `answers(row, method)`
gives all ten.

Answers, in the order of PERSONAS:
    L    302 to the sign-in page
    302  a redirect elsewhere (the home page sends a member to their school)
    ok   a POST the role may make: with an empty body the page answers 200 (form errors),
         302 (done), 400 or 422 (invalid), all in ALLOWED_POST; what matters is that the
         permission check let it through
    200 / 403 / 404 / 405   exactly that status

A method a page does not take is 405 to everyone signed in, before the school or the role
is looked at (attendance_portal.permissions.school_view): test_a_wrong_method_is_405_first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendance_portal.navigation import SECTIONS
from tests.portal.world import NOW, World, blank_pdf, build_world, client_for, crawl, leaks, text_of

PERSONAS = (
    "anonymous",
    "officer",
    "teacher",  # teaches form 4A, the form of the world's pupil
    "other_teacher",  # teaches 4B of the same school
    "head",
    "governor",
    "trust_lead",  # leads this school's trust
    "outsider",  # officer of a school in another trust
    "la_lead",  # the local authority of the school (its LA number)
    "other_la",  # a member of another local authority
)
# The columns the rows spell out; the last two are derived (see answers()).
SPELT = PERSONAS[:8]
ALLOWED_POST = frozenset({200, 302, 400, 422})
# The API answers tokens, not sessions: its own matrix is tests/api/test_permission_matrix.py.
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "api/v1/")


@dataclass(frozen=True)
class Row:
    name: str  # "namespace:name" as reverse() takes it
    get: str  # one answer per persona, in PERSONAS order
    post: str
    # URL keyword arguments other than urn → the World.value() that fills them
    kwargs: dict[str, str] = field(default_factory=dict)
    # query-string parameters a page needs to show anything → World.value() names
    query: dict[str, str] = field(default_factory=dict)
    # The local authority's answers where they differ from the governor's.
    la_get: str | None = None
    la_post: str | None = None


def answers(row: Row, method: str) -> list[str]:
    """Every persona's answer for GET or POST: the row's eight, then the local authority's
    (the governor's unless the row says) and another authority's (the outsider's)."""
    spelt = getattr(row, method).split()
    la = getattr(row, f"la_{method}") or spelt[SPELT.index("governor")]
    return [*spelt, la, spelt[SPELT.index("outsider")]]


#         anon off  tea  oth  head gov  trust out
LOGIN = "L    L    L    L    L    L    L    L"
STAFF_GET = "L    200  200  200  200  403  403  404"
OFFICE_GET = "L    200  403  403  200  403  403  404"
# A wrong method is 405 before the user's school or role is looked at: that tells an
# outsider nothing about the school.
NOT_GET = "L    405  405  405  405  405  405  405"
NOT_POST = NOT_GET
# The names rows used when the role was checked before the method; the answer is now 405.
STAFF_GET_ONLY = OFFICE_WRONG_METHOD = NOT_GET
OFFICE_POST = "L    ok   403  403  ok   403  403  404"
# Pages anyone may open, signed in or not (Django's password reset).
EVERYONE_GET = "200  200  200  200  200  200  200  200"
NOBODY_POST = "405  405  405  405  405  405  405  405"

CASE = {"pk": "case"}
LEAVE = {"pk": "leave"}
ROWS: list[Row] = [
    # -- the portal ---------------------------------------------------------------------
    Row("home", get="L 302 302 302 302 302 302 302", post="L 302 302 302 302 302 302 302"),
    Row("login", get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    Row("logout", get="L 405 405 405 405 405 405 405", post=LOGIN),
    Row("healthz", get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    Row("readyz", get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    # -- sign-in and accounts (signin/) -----------------------------------------------------
    Row("password_change", get="L 200 200 200 200 200 200 200", post="L ok ok ok ok ok ok ok"),
    Row("password_change_done", get="L 200 200 200 200 200 200 200", post=NOT_POST),
    Row("password_reset", get=EVERYONE_GET, post="ok ok ok ok ok ok ok ok"),
    Row("password_reset_done", get=EVERYONE_GET, post=NOBODY_POST),
    # A link with a bad token answers its "expired or used" page, to anyone.
    Row(
        "password_reset_confirm",
        kwargs={"uidb64": "uidb64", "token": "token"},
        get=EVERYONE_GET,
        post=EVERYONE_GET,
    ),
    Row("password_reset_complete", get=EVERYONE_GET, post=NOBODY_POST),
    # The office unlocks its own school's staff.
    Row("signin:locks", get=OFFICE_GET, post=OFFICE_POST),
    # -- the parent portal (attendance_portal/parents) --------------------------------------
    # Staff have no parent session: the parent pages send them to the parents' sign-in
    # (tests/parents/test_isolation.py is the parents' own matrix).
    Row("parents:start", get=EVERYONE_GET, post="ok ok ok ok ok ok ok ok"),
    Row(
        "parents:code",
        get="302 302 302 302 302 302 302 302",
        post="302 302 302 302 302 302 302 302",
    ),
    Row(
        "parents:sign_out",
        get="405 405 405 405 405 405 405 405",
        post="302 302 302 302 302 302 302 302",
    ),
    Row("parents:home", get="302 302 302 302 302 302 302 302", post=NOBODY_POST),
    Row(
        "parents:child",
        kwargs={"pk": "pupil"},
        get="302 302 302 302 302 302 302 302",
        post=NOBODY_POST,
    ),
    Row(
        "parents:report_absence",
        kwargs={"pk": "pupil"},
        get="302 302 302 302 302 302 302 302",
        post="302 302 302 302 302 302 302 302",
    ),
    Row(
        "parents:request_leave",
        kwargs={"pk": "pupil"},
        get="302 302 302 302 302 302 302 302",
        post="302 302 302 302 302 302 302 302",
    ),
    Row(
        "parents:message_choice",
        kwargs={"pk": "pupil"},
        get=NOBODY_POST,
        post="302 302 302 302 302 302 302 302",
    ),
    # -- registers ----------------------------------------------------------------------
    Row(
        "registers:school_home",
        get="L 200 200 200 200 200 200 404",
        post="L 200 200 200 200 200 200 404",
    ),
    Row("registers:day", get=STAFF_GET, post=NOT_POST),
    Row("registers:missing_marks", get=OFFICE_GET, post=NOT_POST),
    Row("registers:cover", get=OFFICE_GET, post=OFFICE_POST),
    Row("registers:late_book", get=OFFICE_GET, post=OFFICE_POST),
    Row("registers:fire_list", get=OFFICE_GET, post=NOT_POST),
    Row("registers:early_leavers", get=OFFICE_GET, post=OFFICE_POST),
    Row("registers:bulk_marks", get=OFFICE_GET, post=OFFICE_POST),
    Row(
        "registers:take",
        kwargs={"form_id": "form", "day": "today", "session": "am"},
        get="L 200 200 403 200 403 403 404",
        post="L ok ok 403 ok 403 403 404",
    ),
    Row("registers:pupils", get=STAFF_GET, post=NOT_POST),
    # The navigation bar's typeahead (JSON), scoped as the pupil pages are.
    Row("registers:pupil_search", get=STAFF_GET, post=NOT_POST),
    Row(
        "registers:pupil",
        kwargs={"pk": "pupil"},
        get="L 200 200 403 200 403 403 404",
        post=NOT_POST,
    ),
    Row(
        "registers:pupil_ctf",
        kwargs={"pk": "pupil"},
        query={"allow_unmarked": "yes"},
        get="L 200 200 403 200 403 403 404",
        post=NOT_POST,
    ),
    Row("registers:pupil_export", kwargs={"pk": "pupil"}, get=OFFICE_GET, post=OFFICE_POST),
    # The pupil's photo: whoever may see the pupil (a cover teacher too: test_photos.py).
    Row(
        "registers:pupil_photo",
        kwargs={"pk": "pupil"},
        get="L 200 200 403 200 403 403 404",
        post=NOT_POST,
    ),
    Row(
        "registers:amend",
        kwargs={"pk": "pupil", "day": "past_day", "session": "am"},
        get=OFFICE_GET,
        post=OFFICE_POST,
    ),
    # -- registers: leave of absence and planned absences ------------------------------------
    Row("registers:leave_list", get=OFFICE_GET, post=NOT_POST),
    Row("registers:leave_new", get=OFFICE_GET, post=OFFICE_POST),
    Row("registers:leave_detail", kwargs=LEAVE, get=OFFICE_GET, post=NOT_POST),
    # Only the head grants or refuses leave (a person the proprietor authorised, reg 11).
    Row(
        "registers:leave_decide",
        kwargs=LEAVE,
        get=NOT_GET,
        post="L 403 403 403 ok 403 403 404",
    ),
    Row("registers:leave_letter", kwargs=LEAVE, get=OFFICE_GET, post=NOT_POST),
    Row("registers:leave_refused_taken", kwargs=LEAVE, get=NOT_GET, post=OFFICE_POST),
    Row("registers:leave_withdraw", kwargs=LEAVE, get=NOT_GET, post=OFFICE_POST),
    Row("registers:leave_review", kwargs=LEAVE, get=NOT_GET, post=OFFICE_POST),
    Row("registers:planned_list", get=OFFICE_GET, post=NOT_POST),
    Row("registers:planned_new", get=OFFICE_GET, post=OFFICE_POST),
    # -- escalation: case work ------------------------------------------------------------
    Row("escalation:caseload", get=OFFICE_GET, post=NOT_POST),
    Row("escalation:caseload_assign", get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case", kwargs=CASE, get=OFFICE_GET, post=NOT_POST),
    Row("escalation:case_note", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case_stage", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case_close", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case_meeting", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case_contract", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row(
        "escalation:contract_review",
        kwargs={"pk": "case", "contract_id": "contract"},
        get=NOT_GET,
        post=OFFICE_POST,
    ),
    Row(
        "escalation:contract_pdf",
        kwargs={"pk": "case", "contract_id": "contract"},
        get=OFFICE_GET,
        post=NOT_POST,
    ),
    Row("escalation:case_notice", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row(
        "escalation:notice_outcome",
        kwargs={"pk": "case", "notice_id": "notice"},
        get=NOT_GET,
        post=OFFICE_POST,
    ),
    Row("escalation:case_referral", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row(
        "escalation:referral_outcome",
        kwargs={"pk": "case", "referral_id": "referral"},
        get=NOT_GET,
        post=OFFICE_POST,
    ),
    Row("escalation:case_la_referral", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:case_supervision", kwargs=CASE, get=NOT_GET, post=OFFICE_POST),
    # The pupil has an open case, so the officer is sent on to it.
    Row(
        "escalation:pupil_case",
        kwargs={"pupil_id": "pupil"},
        get="L 302 403 403 302 403 403 404",
        post=NOT_POST,
    ),
    Row("escalation:case_open", kwargs={"pupil_id": "pupil"}, get=NOT_GET, post=OFFICE_POST),
    # -- escalation: daily lists ----------------------------------------------------------
    Row("escalation:calling", get=OFFICE_GET, post=NOT_POST),
    Row("escalation:calling_log", kwargs={"pk": "pupil"}, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:report_accept", kwargs={"pk": "report"}, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:report_decline", kwargs={"pk": "report"}, get=NOT_GET, post=OFFICE_POST),
    Row("escalation:concern", get=OFFICE_GET, post=NOT_POST),
    Row("escalation:fpn", get=OFFICE_GET, post=NOT_POST),
    # -- escalation: letters ------------------------------------------------------------------
    Row("escalation:letters", get=OFFICE_GET, post=NOT_POST),
    Row("escalation:letters_start", get=NOT_GET, post=OFFICE_POST),
    Row("escalation:letters_queue", get=NOT_GET, post=OFFICE_POST),
    Row("escalation:letter_pdf", kwargs={"pk": "letter"}, get=OFFICE_GET, post=NOT_POST),
    Row("escalation:letter_batch", kwargs={"pk": "batch"}, get=OFFICE_GET, post=NOT_POST),
    Row(
        "escalation:letter_batch_progress",
        kwargs={"pk": "batch"},
        get=OFFICE_GET,
        post=NOT_POST,
    ),
    Row(
        "escalation:letter_batch_resume",
        kwargs={"pk": "batch"},
        get=NOT_GET,
        post=OFFICE_POST,
    ),
    Row(
        "escalation:letter_batch_pdf",
        kwargs={"pk": "batch"},
        get=OFFICE_GET,
        post=NOT_POST,
    ),
    Row("escalation:letter_templates", get=OFFICE_GET, post=NOT_POST),
    # -- messages to families (registers/families/urls.py) -------------------------------
    Row("families:wordings", get=OFFICE_GET, post=NOT_POST),
    Row("families:wording", kwargs={"kind": "first_day"}, get=OFFICE_GET, post=OFFICE_POST),
    # A contact's opt-out, from the pupil page: the office, POST only.
    Row("families:contact_opt_out", kwargs={"pk": "contact"}, get=NOT_GET, post=OFFICE_POST),
    # Notify's receipts: no session; off (404) without NOTIFY_CALLBACK_TOKEN, POST only.
    Row("notify_receipt", get=NOBODY_POST, post="404 404 404 404 404 404 404 404"),
    Row("escalation:letter_template", kwargs={"kind": "termly"}, get=OFFICE_GET, post=OFFICE_POST),
    Row(
        "escalation:letter_preview_pdf",
        kwargs={"kind": "termly"},
        query={"pupil": "pupil"},
        get=OFFICE_GET,
        post=NOT_POST,
    ),
    # -- reporting (read-only pages; they answer POST like GET) ---------------------------
    Row(
        "reporting:dashboard",
        get="L 200 403 403 200 403 200 404",
        post="L 200 403 403 200 403 200 404",
    ),
    Row("reporting:group", get=OFFICE_GET, post=OFFICE_GET),
    Row(
        "reporting:governors",
        get="L 200 403 403 200 200 200 404",
        post="L 200 403 403 200 200 200 404",
    ),
    Row(
        "reporting:governors_pdf",
        get="L 200 403 403 200 200 200 404",
        post="L 200 403 403 200 200 200 404",
    ),
    Row(
        "reporting:trust",
        get="L 403 403 403 403 403 200 404",
        post="L 403 403 403 403 403 200 404",
    ),
    # The local authority's schools side by side: its own team only.
    Row(
        "reporting:local_authority",
        get="L 403 403 403 403 403 403 404",
        post="L 403 403 403 403 403 403 404",
        la_get="200",
        la_post="200",
    ),
    Row("reporting:celebration", get=STAFF_GET, post=STAFF_GET),
    Row("reporting:celebration_messages", get=NOT_GET, post=OFFICE_POST),
    # -- sign-in security (identity/urls.py) ------------------------------------------------
    # Nobody in the world has an authenticator or a school policy requiring one: verify
    # sends them on to enrol, and a request for new recovery codes back to their page.
    Row("identity:account", get="L 200 200 200 200 200 200 200", post=NOT_POST),
    Row(
        "identity:verify",
        get="L 302 302 302 302 302 302 302",
        post="L 302 302 302 302 302 302 302",
    ),
    Row(
        "identity:enrol",
        get="L 200 200 200 200 200 200 200",
        post="L 200 200 200 200 200 200 200",
    ),
    Row("identity:recovery_codes", get=NOT_GET, post="L 302 302 302 302 302 302 302"),
    # Single sign-on is off unless OIDC_ENABLED (tests/identity/test_sso.py turns it on).
    Row(
        "identity:sso_start",
        get="404 404 404 404 404 404 404 404",
        post="404 404 404 404 404 404 404 404",
    ),
    Row(
        "identity:sso_callback",
        get="404 404 404 404 404 404 404 404",
        post="404 404 404 404 404 404 404 404",
    ),
    Row(
        "identity:sso_refused",
        get="200 200 200 200 200 200 200 200",
        post="405 405 405 405 405 405 405 405",
    ),
    # Only the head resets a member of staff's lost authenticator.
    Row(
        "identity:staff",
        get="L 403 403 403 200 403 403 404",
        post=NOT_POST,
    ),
    # -- the API's tokens and access log (attendance_portal/api/pages.py) -----------------
    # A head makes tokens for the school; a trust lead aggregate-only ones (and revokes the
    # tokens of the trust's schools); only the head reads who accessed pupil data.
    Row(
        "api_pages:tokens",
        get="L 403 403 403 200 403 200 404",
        post="L 403 403 403 ok 403 ok 404",
    ),
    Row(
        "api_pages:revoke",
        kwargs={"pk": "api_token"},
        get=NOT_GET,
        post="L 403 403 403 ok 403 ok 404",
    ),
    Row("api_pages:log", get="L 403 403 403 200 403 403 404", post=NOT_POST),
    Row(
        "identity:staff_reset",
        kwargs={"user_id": "staff_user"},
        get=NOT_GET,
        post="L 403 403 403 ok 403 403 404",
    ),
    # -- lesson registers (registers.lessons) -----------------------------------------
    Row("lessons:my_day", get=STAFF_GET, post=NOT_POST),
    # The world's lesson is the teacher's (4A's); another teacher's is 403.
    Row(
        "lessons:take",
        kwargs={"lesson_id": "lesson", "day": "today"},
        get="L    200  200  403  200  403  403  404",
        post="L    ok   ok   403  ok   403  403  404",
    ),
    Row("lessons:missing", get=OFFICE_GET, post=NOT_POST),
    # Alerts: the office and pastoral leads (none among the personas' teachers).
    Row("lessons:alerts", get=OFFICE_GET, post=NOT_POST),
    Row("lessons:alert", kwargs={"pk": "alert"}, get=OFFICE_GET, post=OFFICE_POST),
    Row("lessons:correct", kwargs={"pk": "lesson_mark"}, get=NOT_GET, post=OFFICE_POST),
    Row("lessons:pastoral_leads", get=OFFICE_GET, post=OFFICE_POST),
    Row(
        "lessons:remove_pastoral_lead",
        kwargs={"pk": "pastoral_lead"},
        get=NOT_GET,
        post=OFFICE_POST,
    ),
    Row("lessons:report", get=OFFICE_GET, post=NOT_POST),
    Row("lessons:patterns", get=OFFICE_GET, post=NOT_POST),
    # A pupil's lessons: as the pupil page (the teacher of the pupil's form, the office).
    Row(
        "lessons:pupil",
        kwargs={"pk": "pupil"},
        get="L    200  200  403  200  403  403  404",
        post=NOT_POST,
    ),
]


# -- the resolver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            name = ":".join(filter(None, [namespace, p.name])) if p.name else route
            yield Pattern(name, route, tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)))


def portal_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def _suggest(pattern: Pattern) -> str:
    kwargs = {k: "?" for k in pattern.kwargs if k != "urn"}
    shown = f"kwargs={kwargs!r}, " if kwargs else ""
    return f'    Row("{pattern.name}", {shown}get="L ...", post="L ..."),  # /{pattern.route}'


def test_every_url_has_a_row():
    patterns = {p.name: p for p in portal_patterns()}
    rows = {r.name for r in ROWS}
    missing = [p for name, p in patterns.items() if name not in rows]
    stale = sorted(rows - patterns.keys())
    problems = []
    if missing:
        problems.append(
            "These URL patterns have no row: add a row to the permission matrix "
            "(ROWS in tests/portal/test_permission_matrix.py) saying who may GET and POST "
            "them, with any new URL argument in tests/portal/world.py:\n"
            + "\n".join(_suggest(p) for p in missing)
        )
    if stale:
        problems.append("These rows name no URL pattern any more: " + ", ".join(stale))
    assert not problems, "\n\n".join(problems)


def test_every_row_has_an_answer_per_persona_and_fills_every_argument():
    patterns = {p.name: p for p in portal_patterns()}
    for row in ROWS:
        for method in ("get", "post"):
            spelt = getattr(row, method).split()
            assert len(spelt) == len(SPELT), f"{row.name} {method}: {spelt}"
            found = answers(row, method)
            assert set(found) <= {"L", "ok", "200", "302", "403", "404", "405"}, row.name
        if row.name in patterns:
            wanted = set(patterns[row.name].kwargs) - {"urn"}
            assert set(row.kwargs) == wanted, f"{row.name} takes {sorted(wanted)}"


def test_a_wrong_method_is_405_first():
    """Where any persona is told 405, everyone signed in is: the method is checked before
    the school (404) or the role (403)."""
    wrong = []
    for row in ROWS:
        for method in ("get", "post"):
            anonymous, *members = answers(row, method)
            if "405" in members and (set(members) != {"405"} or anonymous not in ("L", "405")):
                wrong.append(f"{row.name} {method.upper()}: {getattr(row, method)}")
    assert not wrong, "Not 405 for everyone:\n" + "\n".join(wrong)


# -- the world the URLs point into ------------------------------------------------------------


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen_now, school, form, other_form, officer, teacher) -> World:
    return build_world(school=school, form=form, other_form=other_form, office=officer, tag="Qx")


@pytest.fixture
def personas(
    officer, teacher, other_teacher, head, governor, trust_lead, outsider, la_lead, other_la
) -> dict[str, object]:
    return {
        "la_lead": la_lead,
        "other_la": other_la,
        "anonymous": None,
        "officer": officer,
        "teacher": teacher,
        "other_teacher": other_teacher,
        "head": head,
        "governor": governor,
        "trust_lead": trust_lead,
        "outsider": outsider,
    }


@pytest.fixture
def quick_pdfs(monkeypatch):
    """WeasyPrint takes seconds per PDF; the matrix asks who gets one, not what is in it."""
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, *a, **kw: blank_pdf())


@pytest.fixture(autouse=True)
def _no_sign_in_lockout(settings):
    """The empty sign-in POSTs count as failed attempts, all from one address."""
    settings.LOGIN_MAX_FAILURES = 10_000


def url_for(row: Row, world: World) -> str:
    pattern = next(p for p in portal_patterns() if p.name == row.name)
    kwargs = {k: world.value(v) for k, v in row.kwargs.items()}
    if "urn" in pattern.kwargs:
        kwargs["urn"] = world.urn
    url = reverse(row.name, kwargs=kwargs)
    if row.query:
        url += "?" + urlencode({k: world.value(v) for k, v in row.query.items()})
    return url


def check(answer: str, response) -> bool:
    status = response.status_code
    location = response.get("Location", "") if status == 302 else ""
    to_login = location.startswith(reverse("login"))
    if answer == "L":
        return status == 302 and to_login
    if answer == "ok":
        return status in ALLOWED_POST and not to_login
    if answer == "302":
        return status == 302 and not to_login
    return status == int(answer)


def _describe(response) -> str:
    if response.status_code == 302:
        return f"302 → {response['Location']}"
    return str(response.status_code)


def ask(membership, method: str, url: str):
    """One request, its writes rolled back: an empty POST that withdraws the leave request
    must not change what the next row finds."""
    client = client_for(membership)
    with transaction.atomic():
        response = client.get(url) if method == "get" else client.post(url, {})
        transaction.set_rollback(True)
    return response


def test_each_persona_gets_exactly_the_answer_in_the_matrix(world, personas, quick_pdfs):
    # One world for all rows: the requests dominate the run time, not the assertions, and
    # every wrong cell of the matrix is reported at once.
    wrong = []
    for row in ROWS:
        url = url_for(row, world)
        for method in ("get", "post"):
            for persona, answer in zip(PERSONAS, answers(row, method), strict=True):
                response = ask(personas[persona], method, url)
                if not check(answer, response):
                    wrong.append(
                        f"{row.name} {url}: {method.upper()} as {persona}: "
                        f"expected {answer}, got {_describe(response)}"
                    )
    assert not wrong, "\n".join(wrong)


# -- the navigation offers exactly what the pages let in ----------------------------------------


def test_the_navigation_offers_each_persona_exactly_the_sections_it_may_open(world, personas):
    rows = {row.name: row for row in ROWS}
    home = reverse("registers:school_home", args=[world.urn])
    wrong = []
    for at, persona in enumerate(PERSONAS):
        if persona in ("anonymous", "outsider", "other_la"):  # no navigation at this school
            continue
        may_open = [
            label for label, name, _, _ in SECTIONS if answers(rows[name], "get")[at] == "200"
        ]
        response = client_for(personas[persona]).get(home)
        bar = [item.label for item in response.context["nav_items"]]
        cards = [item.label for item in response.context["items"]]  # the school's front page
        if bar != may_open or cards != may_open:
            wrong.append(f"{persona}: offered {bar}, may open {may_open}")
    assert not wrong, "\n".join(wrong)


# -- governors and the local authority never meet a pupil ------------------------------------------


@pytest.mark.parametrize("persona", ["governor", "la_lead"])
def test_no_page_a_governor_or_the_local_authority_can_reach_names_a_pupil(
    world, personas, persona
):
    at = PERSONAS.index(persona)
    starts = [
        url_for(row, world)
        for row in ROWS
        if answers(row, "get")[at] == "200" and row.name not in ("login", "healthz", "readyz")
    ]
    client = client_for(personas[persona])
    pages = crawl(client, starts)
    # POSTs they are answered 200 on are pages too.
    for row in ROWS:
        if answers(row, "post")[at] in ("200", "ok"):
            url = url_for(row, world)
            response = client.post(url, {})
            if response.status_code == 200:
                pages[f"POST {url}"] = (200, text_of(response))
    reached = [url for url, (status, _) in pages.items() if status == 200]
    assert len(reached) >= 5, reached  # the governors' page, its PDF, the school's home …
    found = leaks(pages, world.names())
    assert not found, "\n".join(found)
