from __future__ import annotations

from django.urls import reverse

from registers.lessons.models import LessonMark, PastoralLead, TruancyAlert
from tests.registers.factories import MarkFactory

from .builders import MONDAY


def _url(school, lesson):
    return reverse("lessons:take", args=[school.urn, lesson.pk, MONDAY])


def test_the_teacher_sees_their_lessons_of_the_day(
    login, school, timetable, teacher, monday_morning
):
    page = login(teacher).get(reverse("lessons:my_day", args=[school.urn])).content.decode()
    assert "4A/Ma" in page and "4A/Sc" in page and "4A/En" not in page
    assert "Take register" in page and "Opens at 13:30" in page


def test_a_statutory_absence_is_shown_and_not_asked(
    login, school, timetable, pupils, teacher, monday_morning
):
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="M")
    page = login(teacher).get(_url(school, timetable["P1"])).content.decode()
    assert f'name="mark_{pupils[0].pk}"' not in page
    assert f'name="mark_{pupils[1].pk}"' in page
    assert "Statutory code for the session: not asked here." in page


def test_saving_the_register_raises_the_alert_the_officer_sees(
    login, client, school, timetable, pupils, teacher, officer, monday_morning
):
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="/")
    data = {
        "version": 0,
        f"mark_{pupils[0].pk}": "A",
        f"mark_{pupils[1].pk}": "L",
        f"late_{pupils[1].pk}": 7,
    }
    data |= {f"mark_{pupils[2].pk}": "O", f"reason_{pupils[2].pk}": "At the nurse"}
    response = login(teacher).post(_url(school, timetable["P1"]), data, follow=True)
    assert "the attendance office has been alerted" in response.content.decode()
    assert LessonMark.objects.get(pupil=pupils[1]).minutes_late == 7
    alerts = login(officer).get(reverse("lessons:alerts", args=[school.urn]) + "?date=2025-09-08")
    assert pupils[0].surname in alerts.content.decode()


def test_a_second_teacher_saving_the_same_register_loses_nothing(
    login, school, timetable, pupils, teacher, officer, monday_morning
):
    url = _url(school, timetable["P1"])
    login(teacher).post(url, {"version": 0, f"mark_{pupils[0].pk}": "/"})
    response = login(officer).post(url, {"version": 0, f"mark_{pupils[0].pk}": "A"})
    page = response.content.decode()
    assert "Someone else saved this lesson register" in page
    assert "Saved meanwhile: Present" in page
    assert LessonMark.objects.get().kind == "present"
    # The page carries the saved version: saving again now works.
    assert 'name="version" value="1"' in page


def test_out_of_lesson_needs_a_reason_and_nothing_is_saved(
    login, school, timetable, pupils, teacher, monday_morning
):
    response = login(teacher).post(
        _url(school, timetable["P1"]), {"version": 0, f"mark_{pupils[0].pk}": "O"}
    )
    assert "Say where they are" in response.content.decode()
    assert not LessonMark.objects.exists()


def test_a_pastoral_lead_sees_alerts_of_their_year_only(
    login, school, timetable, pupils, teacher, other_teacher, monday_morning
):
    alerts = reverse("lessons:alerts", args=[school.urn])
    assert login(other_teacher).get(alerts).status_code == 403
    PastoralLead.objects.create(school=school, membership=other_teacher, year_group="4")
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="/")
    login(teacher).post(_url(school, timetable["P1"]), {"version": 0, f"mark_{pupils[0].pk}": "A"})
    alert = TruancyAlert.objects.get()
    assert (
        login(other_teacher).get(reverse("lessons:alert", args=[school.urn, alert.pk])).status_code
        == 200
    )
    PastoralLead.objects.filter(membership=other_teacher).update(year_group="9")
    assert (
        login(other_teacher).get(reverse("lessons:alert", args=[school.urn, alert.pk])).status_code
        == 403
    )


def test_missing_lesson_registers_are_listed_by_period(
    login, school, timetable, officer, monday_morning
):
    page = login(officer).get(reverse("lessons:missing", args=[school.urn])).content.decode()
    assert "4A/Ma" in page and "4A/En" not in page  # P2 has not started at 09:05
