"""The wording of messages to families: defaults, a school's own text, placeholders.

Pure (no Django). Schools edit each kind's subject and text as plain text with
{{ named_placeholders }}, as they edit their letters; the text is never run as a template,
so staff cannot write template code, and an unknown placeholder is refused when saved.
Texts are short: an SMS of up to 160 characters costs one message (GOV.UK Notify counts
fragments), so the defaults keep to about two.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
TEMPLATE_CODE = re.compile(r"\{%|%\}|\{#|#\}")

COMMON: dict[str, str] = {
    "pupil_forename": "the pupil's first name",
    "pupil_name": "the pupil's full name",
    "contact_name": "the name of the person messaged",
    "school_name": "the school's name",
    "school_phone": "the school's telephone number",
    "date": "the day the message is about (Monday 15 September)",
}
KIND_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "first_day": COMMON,
    "late": COMMON | {"minutes_late": "how many minutes late"},
    "letter": COMMON | {"letter_title": "the letter's title"},
    "leave_decision": COMMON
    | {
        "decision": "granted or refused",
        "leave_dates": "the dates asked for",
        "decision_note": "what the headteacher wrote",
    },
    "positive": COMMON | {"achievement": "what the pupil achieved"},
}

DEFAULTS: dict[str, tuple[str, str]] = {
    "first_day": (
        "{{ pupil_forename }} is not in school today",
        "{{ school_name }}: {{ pupil_forename }} is not in school today ({{ date }}) and we "
        "have no reason for the absence. Please call us on {{ school_phone }} or report it "
        "on the parents' portal.",
    ),
    "late": (
        "{{ pupil_forename }} arrived late today",
        "{{ school_name }}: {{ pupil_forename }} arrived {{ minutes_late }} minutes late "
        "today ({{ date }}). Every minute of the school day counts.",
    ),
    "letter": (
        "{{ letter_title }}",
        "Dear {{ contact_name }}, please find attached a letter from {{ school_name }} about "
        "{{ pupil_name }}'s attendance: {{ letter_title }}. A printed copy follows. If you "
        "would like to talk about it, call us on {{ school_phone }}.",
    ),
    "leave_decision": (
        "Your request for leave for {{ pupil_forename }}",
        "{{ school_name }}: your request for leave for {{ pupil_forename }} "
        "({{ leave_dates }}) has been {{ decision }}. {{ decision_note }}",
    ),
    "positive": (
        "Well done, {{ pupil_forename }}",
        "{{ school_name }}: well done to {{ pupil_forename }}: {{ achievement }}. Thank you "
        "for your support.",
    ),
}


def default_wording(kind: str) -> tuple[str, str]:
    return DEFAULTS[kind]


def validate_wording(text: str, *, kind: str) -> list[str]:
    """Problems with a school's wording: unknown placeholders and any template code."""
    allowed = KIND_PLACEHOLDERS[kind]
    errors = [
        f"{match.group(0)} is not a placeholder this message can use."
        for match in PLACEHOLDER.finditer(text)
        if match.group(1) not in allowed
    ]
    if TEMPLATE_CODE.search(text) or "{{" in PLACEHOLDER.sub("", text):
        errors.append("Only {{ placeholders }} are allowed; remove any other braces.")
    return errors


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with each placeholder replaced; an unknown one becomes empty (validated
    wording never has one) and the result's spacing is tidied."""
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
    return re.sub(r"[ \t]+", " ", filled).strip()


def sample_values(kind: str) -> dict[str, str]:
    """Believable values for the preview of a school's wording."""
    return {
        "pupil_forename": "Amira",
        "pupil_name": "Amira Khan",
        "contact_name": "Mrs Khan",
        "school_name": "Oakfield Primary",
        "school_phone": "01632 960000",
        "date": "Monday 15 September",
        "minutes_late": "12",
        "letter_title": "Attendance this term",
        "decision": "granted",
        "leave_dates": "Monday 6 to Friday 10 October",
        "decision_note": "We hope the family event goes well.",
        "achievement": "100% attendance this week",
    }
