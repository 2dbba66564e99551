"""The admin: a school's own settings (policy lines, register closing time, the DfE number
and the letterhead details). Pupils, calendars, staff and marks come in through the
command-line contract (docs/interfaces.md) and the portal's pages, which validate and audit
them; they are deliberately not editable here."""

from __future__ import annotations

from django.contrib import admin

from registers.models import School, Trust


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "urn",
        "phase",
        "trust",
        "target_pct",
        "formal_meeting_pct",
        "require_mfa",
    ]
    list_filter = ["phase", "trust", "require_mfa"]
    search_fields = ["name", "urn"]
    fieldsets = [
        (None, {"fields": ["urn", "name", "phase", "trust"]}),
        (
            "Attendance policy",
            {
                "description": "The school's own lines. The national ones (persistent "
                "absence at 10% missed, severe at 50%) are fixed.",
                "fields": [
                    "target_pct",
                    "formal_meeting_pct",
                    "dip_points",
                    "register_open_minutes",
                ],
            },
        ),
        (
            "Sessions and reminders",
            {
                "description": "A register is missing once its session has started and the "
                "grace period has passed; teachers cannot take the afternoon register before "
                "the afternoon starts; teachers are emailed about a missing register after "
                "the reminder delay.",
                "fields": ["am_starts", "pm_starts", "missing_grace_minutes", "reminder_minutes"],
            },
        ),
        ("Sign-in security", {"fields": ["require_mfa"]}),
        (
            "Letters and transfers",
            {"fields": ["la_name", "la_number", "establishment_number", "address", "phone"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The URN identifies the school everywhere (URLs, files, CTF): set once, by
        # setup_school.
        return ["urn"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a school's registers are kept six years: never deleted from here
