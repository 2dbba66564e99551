"""The parents' sign-in rules, pure: no ORM, no settings, no clock.

A parent is known by what the school holds for them, an email address or a mobile number,
never by an account of their own (docs/domain.md §13). What they type is turned into the
one key the school's contact rows are matched on: an email address lower-cased, a phone
number in E.164 as the contacts import stores it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from registers import phones

CODE_DIGITS = 6
CODE_TRIES = 5
MAX_CONTACT_LENGTH = 254  # the longest email address


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class ContactKey:
    channel: Channel
    value: str  # lower-cased email, or E.164

    @property
    def throttle_key(self) -> str:
        return f"{self.channel}:{self.value}"


def normalise_email(text: str) -> str | None:
    """An address the school might hold, lower-cased; None if it cannot be one."""
    email = unicodedata.normalize("NFKC", text).strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        return None
    return email


def normalise_phone(text: str) -> str | None:
    """The number in E.164 exactly as the contacts import stores it; None otherwise."""
    return phones.to_e164(text)


def contact_key(text: str) -> ContactKey | None:
    """What a parent typed as the key the school's contacts are matched on."""
    text = unicodedata.normalize("NFKC", text or "").strip()[:MAX_CONTACT_LENGTH]
    if not text:
        return None
    if "@" in text:
        email = normalise_email(text)
        return ContactKey(Channel.EMAIL, email) if email else None
    phone = normalise_phone(text)
    return ContactKey(Channel.SMS, phone) if phone else None


def new_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def new_token() -> str:
    """A browser's secret: a challenge or a session, given only to the browser."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a browser's token: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def code_hash(code: str, *, key: bytes, salt: str) -> str:
    """What the database keeps of a code: keyed (the SECRET_KEY), salted per challenge, so
    a copy of the table does not give the codes away by trying the million of them."""
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(code: str, stored: str, *, key: bytes, salt: str) -> bool:
    """Constant time; an empty stored hash (nobody to send to) never matches."""
    typed = "".join(ch for ch in unicodedata.normalize("NFKC", code) if not ch.isspace())
    if not stored or len(typed) != CODE_DIGITS or not typed.isdigit():
        return False
    return hmac.compare_digest(code_hash(typed, key=key, salt=salt), stored)
