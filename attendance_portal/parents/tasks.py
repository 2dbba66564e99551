"""The parent portal's Celery tasks (docs/style.md rules 16-18): each takes ids, calls one
service, and is safe to run twice.

`parents.send_sign_in_code` is sent by the sign-in page after its challenge commits
(attendance_portal.broker): the page never waits on an email or SMS provider, and does the
same work whether or not the school holds the contact. `parents.purge_expired` runs on beat
(migration 0002) and deletes spent challenges, ended sessions and old throttle counts.
"""

from __future__ import annotations

from celery import shared_task

from attendance_portal.parents.services import signin


@shared_task(name="parents.send_sign_in_code")
def send_sign_in_code_task(challenge_id: int) -> bool:
    return signin.issue_code(challenge_id=challenge_id)


@shared_task(name="parents.purge_expired")
def purge_expired_task() -> dict[str, int]:
    return signin.purge_expired()
