"""Dates typed by users, in forms, query strings and URLs: one field and one parser with
sane bounds.

Python's dates run from year 1 to 9999, but the figures step a week or a school year away
from the day asked for (the week before, the academic year that holds it, ten school
weeks back): 0001-01-01 or 9999-12-31 overflowed into a server error. Every date a user
can type is therefore between EARLIEST and LATEST, far wider than any register kept.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
NOT_A_DATE = "That is not a date (use YYYY-MM-DD)."
OUT_OF_RANGE = f"Choose a date between {EARLIEST:%-d %B %Y} and {LATEST:%-d %B %Y}."
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week that holds `day` (the day itself on a Monday): school weeks,
    register weeks and the figures' weekly rows all start there."""
    return day - dt.timedelta(days=day.weekday())


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


class DateField(forms.DateField):
    """forms.DateField that refuses dates before EARLIEST or after LATEST."""

    default_error_messages = {"invalid": NOT_A_DATE}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators.append(MinValueValidator(EARLIEST, message=OUT_OF_RANGE))
        self.validators.append(MaxValueValidator(LATEST, message=OUT_OF_RANGE))


def parse_date(text: str) -> dt.date:
    """A strict YYYY-MM-DD date within the bounds, or ValueError with a message for users."""
    text = text.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
    if not in_range(day):
        raise ValueError(OUT_OF_RANGE)
    return day
