"""The parent isolation matrix: every parent URL × two families × GET and POST, plus staff
and anonymous visitors; and a crawl as one parent that never meets the other family.

Family A: the world's pupil 0 (marks, a case, a letter) and a second child at another
school. Family B: the world's pupil 1; B's parent is also a contact of pupil 0 without
parental responsibility (a childminder, a grandparent), which opens nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.parents.helpers import add_contact, sign_in
from tests.portal.world import NOW, build_world, crawl, leaks
from tests.registers.factories import PupilFactory

EMAIL_A, EMAIL_B = "amara.family@example.org", "bram.family@example.org"
PERSONAS = ("anonymous", "officer", "parent_a", "parent_b")


@dataclass(frozen=True)
class Row:
    """Answers in PERSONAS order for a URL of family A's child (for a URL without a child,
    the only one). `own`: the answer the child's own parent gets, `other`: the other
    family's. P is a redirect to the parents' sign-in page."""

    name: str
    get: str
    post: str
    child: bool = False
    extra: dict[str, str] = field(default_factory=dict)


ROWS = [
    # The sign-in steps: the same to everyone. An empty contact is a form error (400).
    Row("parents:start", get="200 200 302 302", post="400 400 400 400"),
    # No code asked for in this browser: back to step one.
    Row("parents:code", get="P P P P", post="P P P P"),
    Row("parents:sign_out", get="405 405 405 405", post="P P P P"),
    Row("parents:home", get="P P 200 200", post="405 405 405 405"),
    Row("parents:child", child=True, get="P P 200 404", post="405 405 405 405"),
    # An empty form is refused (400) to the child's parent; the other family never gets
    # as far as the form.
    Row("parents:report_absence", child=True, get="P P 200 404", post="P P 400 404"),
    Row("parents:request_leave", child=True, get="P P 200 404", post="P P 400 404"),
    # POST only; an empty choice is told on the child's page (a redirect to it, 302).
    Row("parents:message_choice", child=True, get="405 405 405 405", post="P P 302 404"),
]


@pytest.fixture
def families(school, form, other_form, officer, other_school):
    with time_machine.travel(NOW, tick=False):
        world = build_world(
            school=school, form=form, other_form=other_form, office=officer, tag="Zq"
        )
    a, b = world.pupils[0], world.pupils[1]
    add_contact(a, name="Amara Quarrendon", email=EMAIL_A, priority=2)
    add_contact(b, name="Bram Vellacott", email=EMAIL_B, priority=2)
    add_contact(a, name="Bram Vellacott", email=EMAIL_B, priority=3, parental_responsibility=False)
    elsewhere = PupilFactory(school=other_school, forename="Cosimo", surname="Quarrendon")
    add_contact(elsewhere, name="Amara Quarrendon", email=EMAIL_A)
    return world, {"a": a, "b": b, "a_elsewhere": elsewhere}


def _clients(officer) -> dict[str, Client]:
    staff = Client()
    staff.force_login(officer.user)
    return {
        "anonymous": Client(),
        "officer": staff,
        "parent_a": sign_in(Client(), EMAIL_A),
        "parent_b": sign_in(Client(), EMAIL_B),
    }


def _check(answer: str, response) -> bool:
    if answer == "P":
        return response.status_code == 302 and response["Location"] == reverse("parents:start")
    if answer == "302":
        return response.status_code == 302 and response["Location"] != reverse("parents:start")
    return response.status_code == int(answer)


SWAP = {"parent_a": "parent_b", "parent_b": "parent_a"}


def test_every_parent_url_has_a_row():
    from tests.portal.test_permission_matrix import portal_patterns

    names = {p.name for p in portal_patterns() if p.name.startswith("parents:")}
    assert names == {row.name for row in ROWS}


@pytest.mark.parametrize("family", ["a", "b"])
def test_each_visitor_gets_exactly_the_answer_for_either_family(families, officer, family):
    _, children = families
    wrong = []
    with time_machine.travel(NOW, tick=True):
        clients = _clients(officer)
        for row in ROWS:
            kwargs = {"pk": children[family].pk} if row.child else {}
            url = reverse(row.name, kwargs=kwargs)
            for method in ("get", "post"):
                answers = dict(zip(PERSONAS, getattr(row, method).split(), strict=True))
                if row.child and family == "b":  # the other family's child: answers swap
                    answers = {SWAP.get(p, p): a for p, a in answers.items()}
                for persona, answer in answers.items():
                    client = clients[persona]
                    cookies = copy.deepcopy(client.cookies)  # signing out must not stick
                    with transaction.atomic():
                        response = getattr(client, method)(url, {})
                        transaction.set_rollback(True)
                    client.cookies = cookies
                    if not _check(answer, response):
                        wrong.append(
                            f"{method.upper()} {url} as {persona}: expected {answer}, got "
                            f"{response.status_code} {response.get('Location', '')}"
                        )
    assert not wrong, "\n".join(wrong)


def test_a_child_at_another_school_is_the_parents_too(families, officer):
    _, children = families
    with time_machine.travel(NOW, tick=True):
        client = sign_in(Client(), EMAIL_A)
        home = client.get(reverse("parents:home")).content.decode()
        assert "Cosimo" in home
        page = client.get(reverse("parents:child", args=[children["a_elsewhere"].pk]))
    assert page.status_code == 200


def test_without_parental_responsibility_a_contact_sees_nothing_of_the_child(families):
    _, children = families
    with time_machine.travel(NOW, tick=True):
        client = sign_in(Client(), EMAIL_B)
        assert client.get(reverse("parents:child", args=[children["a"].pk])).status_code == 404
        home = client.get(reverse("parents:home")).content.decode()
    assert children["a"].forename not in home


@pytest.mark.parametrize(("me", "them"), [("a", "b"), ("b", "a")])
def test_a_crawl_as_one_parent_never_shows_the_other_family(families, officer, me, them):
    world, children = families
    emails = {"a": EMAIL_A, "b": EMAIL_B}
    with time_machine.travel(NOW, tick=True):
        client = sign_in(Client(), emails[me])
        pages = crawl(client, [reverse("parents:home")], per_path=50)
    mine = children[me]
    assert any(mine.surname in body for _, body in pages.values())
    other = children[them]
    forbidden = [other.forename, other.upn, emails[them], mine.upn]
    # Nor anyone else of the school: other pupils, contacts, staff.
    forbidden += [p.forename for p in world.pupils if p not in (mine,)]
    forbidden += ["Peregrine Oakhurst", officer.user.username, officer.user.last_name]
    if me == "b":
        forbidden.append("Amara")
    else:
        forbidden.append("Bram")
    assert len(pages) >= 3
    assert not leaks(pages, forbidden)
