"""Telephone numbers as the portal stores them: E.164 (+447700900123), read from any UK form.

Pure (no Django): the contacts import, the office's forms and the SMS channel share it.
Parsing and validity come from `phonenumbers` (Google's libphonenumber metadata), never
hand-written patterns, so a number is checked against the real UK numbering plan.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# Ofcom keeps these ranges for drama and documentation: never a real line, so demos and
# tests use them. libphonenumber calls them invalid (they are never allocated), so they
# are allowed by name here; 07700 900xxx is a mobile range, 01632 960xxx a landline one.
OFCOM_DRAMA_MOBILE = "+447700900"
OFCOM_DRAMA_PREFIXES = (OFCOM_DRAMA_MOBILE, "+441632960")

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def to_e164(text: str, *, region: str = "GB") -> str | None:
    """The number in E.164, or None when it is not a valid telephone number.

    A number without a country code is read as a UK number (07700 900123, 020 7946 0000);
    one written with + or 00 may be from any country."""
    cleaned = text.strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region)
    except NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    drama = e164.startswith(OFCOM_DRAMA_PREFIXES) and len(e164) == len("+447700900123")
    if drama or phonenumbers.is_valid_number(number):
        return e164
    return None


def is_mobile(e164: str) -> bool:
    """Can the number receive a text message? (Landlines cannot; an SMS to one is lost.)"""
    if e164.startswith(OFCOM_DRAMA_MOBILE):
        return True
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return False
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def shown(e164: str) -> str:
    """The number as a person in the UK writes it (07700 900123), for pages and lists."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if e164.startswith("+44"):
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
