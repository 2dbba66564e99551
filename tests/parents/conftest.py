from __future__ import annotations

import pytest

from tests.parents.helpers import add_contact
from tests.registers.factories import PupilFactory

EMAIL_A = "alex.parent@example.org"
EMAIL_B = "blake.parent@example.org"


@pytest.fixture
def family_a(form):
    pupil = PupilFactory(school=form.school, form=form, forename="Amaris", surname="Quennell")
    add_contact(pupil, name="Alex Quennell", email=EMAIL_A, phone="+447700900111")
    return pupil


@pytest.fixture
def family_b(form):
    pupil = PupilFactory(school=form.school, form=form, forename="Bexley", surname="Tarrant")
    add_contact(pupil, name="Blake Tarrant", email=EMAIL_B, phone="+447700900222")
    return pupil
