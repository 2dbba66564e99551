"""The office names pastoral leads on a page of its own, audited, and a pastoral lead finds
the alerts in the navigation (docs/domain.md §11)."""

from __future__ import annotations

from django.urls import reverse

from registers.lessons.models import PastoralLead, PastoralLeadEvent


def _nav(client, school):
    response = client.get(reverse("registers:day", args=[school.urn]))
    return [item.label for item in response.context["nav_items"]]


def test_the_head_names_a_teacher_pastoral_lead_who_then_finds_the_alerts(
    login, school, head, other_teacher
):
    page = reverse("lessons:pastoral_leads", args=[school.urn])
    assert "Internal truancy" not in _nav(login(other_teacher), school)
    response = login(head).post(page, {"teacher": other_teacher.pk, "year_group": "4"})
    assert response.status_code == 302
    lead = PastoralLead.objects.get()
    assert (lead.membership, lead.year_group) == (other_teacher, "4")
    event = PastoralLeadEvent.objects.get()
    assert (event.action, event.lead, event.year_group, event.actor) == (
        "named",
        other_teacher,
        "4",
        head.user,
    )
    assert "Internal truancy" in _nav(login(other_teacher), school)
    alerts = login(other_teacher).get(reverse("lessons:alerts", args=[school.urn]))
    assert alerts.status_code == 200
    # The office sees the section whether or not anyone is named.
    assert "Internal truancy" in _nav(login(head), school)


def test_naming_twice_or_naming_a_non_teacher_is_refused_and_removal_is_recorded(
    login, school, officer, head, other_teacher
):
    page = reverse("lessons:pastoral_leads", args=[school.urn])
    client = login(officer)
    client.post(page, {"teacher": other_teacher.pk, "year_group": ""})
    again = client.post(page, {"teacher": other_teacher.pk, "year_group": ""})
    assert "already the pastoral lead of every year" in again.content.decode()
    refused = client.post(page, {"teacher": head.pk, "year_group": ""})
    assert refused.status_code == 200 and "teacher" in refused.context["form"].errors
    lead = PastoralLead.objects.get()
    client.post(reverse("lessons:remove_pastoral_lead", args=[school.urn, lead.pk]))
    assert not PastoralLead.objects.exists()
    assert list(PastoralLeadEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "named",
        "removed",
    ]
    history = client.get(page).content.decode()
    assert "removed pastoral lead of every year" in history
    assert "Internal truancy" not in _nav(login(other_teacher), school)
