"""The one family of domain errors.

A service or rule refuses with a subclass of `DomainError` whose message a user can act on
("Minutes late must be between 0 and 600.", "Close the case first."), so a view or a command
can catch that one base (`except DomainError as exc: form.add_error(None, str(exc))`) and
anything else is a bug that must surface as one. Each subclass keeps the built-in base it
had before the family existed (ValueError mostly), so existing `except ValueError` callers
behave as they did.

This module imports nothing: the pure rules may raise these errors too.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a message for the user; nothing was changed."""
