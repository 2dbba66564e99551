from __future__ import annotations

from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "attendance_portal.parents"
    label = "parents"
    verbose_name = "Parent portal"
