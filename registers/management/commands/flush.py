"""Django's flush, allowed to empty the register's history tables.

The history triggers (migration 0007) refuse to delete marks, amendments, case events and
purge records outside the retention purge's window. A flush empties the whole database on
purpose (and the test suite runs one after every transactional test): on SQLite it does so
with DELETE, which the triggers would refuse, so it runs inside the same window. On
PostgreSQL flush uses TRUNCATE, which row triggers do not see, but the marks' TRUNCATE
trigger (migration 0021) refuses it outside the window.
"""

from __future__ import annotations

from django.core.management.commands import flush

from registers.services.privacy import history_deletion_window


class Command(flush.Command):
    def handle(self, **options):
        with history_deletion_window(using=options["database"]):
            super().handle(**options)
