"""Reporting's access cases the permission matrix (tests/portal/test_permission_matrix.py)
does not hold: a trust lead of another trust, drill-down links by role, a school without
a calendar."""

from __future__ import annotations

from django.urls import reverse

from registers.models import Membership
from tests.registers.factories import TrustFactory, make_member

Role = Membership.Role


def test_a_trust_lead_of_another_trust_cannot_open_this_school(client, school):
    stranger = make_member(Role.TRUST, trust=TrustFactory(name="Birch Trust"), username="birch")
    client.force_login(stranger.user)
    for name in ("reporting:trust", "reporting:dashboard", "reporting:governors"):
        assert client.get(reverse(name, args=[school.urn])).status_code == 404


def test_a_trust_lead_sees_the_dashboard_without_drill_down_links(
    client, school, ten_pupils, trust_lead
):
    client.force_login(trust_lead.user)
    html = client.get(reverse("reporting:dashboard", args=[school.urn])).content.decode()
    assert reverse("reporting:group", args=[school.urn]) not in html
    assert ten_pupils[0].surname not in html


def test_the_head_can_drill_down_from_a_group_to_its_pupils(client, school, ten_pupils, head):
    client.force_login(head.user)
    html = client.get(reverse("reporting:dashboard", args=[school.urn])).content.decode()
    assert "/reporting/pupils/?period=" in html
    page = client.get(
        reverse("reporting:group", args=[school.urn]),
        {"dimension": "pupil_premium", "group": "yes"},
    )
    names = [row.name for row in page.context["rows"]]
    assert names == [
        "Quilla2 Zephyrine2",
        "Quilla1 Zephyrine1",
        "Quilla0 Zephyrine0",
        "Quilla3 Zephyrine3",
    ]
    assert f"/s/{school.urn}/pupils/{ten_pupils[2].pk}/" in page.content.decode()


def test_pages_open_for_a_school_without_a_calendar(client, db):
    from tests.registers.factories import SchoolFactory

    school = SchoolFactory(urn="111111")
    head = make_member(Role.HEAD, school=school, username="lonehead")
    client.force_login(head.user)
    for name in ("reporting:dashboard", "reporting:governors"):
        response = client.get(reverse(name, args=[school.urn]))
        assert response.status_code == 200
        assert b"no half-terms yet" in response.content
