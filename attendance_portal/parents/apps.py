from __future__ import annotations

from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "attendance_portal.parents"
    label = "parents"
    verbose_name = "Parent portal"

    def ready(self) -> None:
        from attendance_portal.parents.demo import seed_demo_parent
        from registers.demo import register_demo_step

        register_demo_step(seed_demo_parent)
