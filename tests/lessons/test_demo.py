from __future__ import annotations

from pathlib import Path

import time_machine
from django.conf import settings
from django.core.management import call_command

from registers.lessons.demo import URN, seed_secondary, timetable_files
from registers.lessons.models import Lesson, LessonMark, PastoralLead, TruancyAlert
from registers.models import Membership, School

from .builders import MONDAY
from .conftest import at

DOCS = Path(settings.BASE_DIR) / "docs" / "demo-timetable"


def test_the_timetable_files_in_the_docs_are_the_demo_generators():
    for name, text in timetable_files().items():
        assert (DOCS / name).read_text() == text, f"docs/demo-timetable/{name} is out of date"


def test_the_demo_secondary_has_a_timetable_marks_and_a_teacher_with_lessons_today(school, capsys):
    with time_machine.travel(at(7, 30), tick=False):
        seed_secondary(school=school, seed="s", today=MONDAY, log=print)
    secondary = School.objects.get(urn=URN)
    teacher = Membership.objects.get(user__username="ridge.teacher", school=secondary)
    assert Lesson.objects.filter(teacher=teacher, day=1).count() == 5
    assert LessonMark.objects.for_school(secondary).count() > 5_000
    assert TruancyAlert.objects.for_school(secondary).exists()
    assert PastoralLead.objects.filter(membership__user__username="ridge.pastoral").exists()
    # The README's step: importing the demo timetable again changes nothing.
    files = [str(DOCS / n) for n in ("periods.csv", "classes.csv", "members.csv")]
    call_command("import_timetable", "--school", URN, *files)
    assert capsys.readouterr().out.strip().endswith("nothing changed")
