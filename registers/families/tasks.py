"""Families' Celery tasks (docs/style.md rules 16-18): the first-day job and sending."""
