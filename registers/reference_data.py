"""Reference rows every installation needs: the code table and one group per role.

Loaded by migrations, and reloaded by the test suite after a transactional test has
flushed the database (a flush empties tables that data migrations filled).
"""

from __future__ import annotations

from registers.codes import CODES

ROLE_PERMISSIONS = {
    "officer": ["view_pupil", "view_mark", "change_mark", "view_register", "view_markamendment"],
    "teacher": ["view_pupil", "view_mark", "view_register"],
    "head": ["view_pupil", "view_mark", "change_mark", "view_register", "view_markamendment"],
    "governor": [],
    "trust": [],
    "la": [],
}


def load_codes(attendance_code_model) -> None:
    for order, code in enumerate(CODES):
        attendance_code_model.objects.update_or_create(
            code=code.code,
            defaults={
                "meaning": code.meaning,
                "category": code.category.value,
                "group": code.group.value,
                "counts_as_possible": code.counts_as_possible,
                "new_in_2024": code.new_in_2024,
                "sort_order": order,
            },
        )


def load_role_groups(group_model, permission_model) -> None:
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(
            permission_model.objects.filter(
                content_type__app_label="registers", codename__in=codenames
            )
        )
