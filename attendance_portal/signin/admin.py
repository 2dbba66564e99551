from __future__ import annotations

from django.contrib import admin

from attendance_portal.signin.models import SignInThrottle


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Superusers may lift any lock (delete the row), including an address's."""

    list_display = ["scope", "username", "address", "failures", "locked_until", "updated_at"]
    list_filter = ["scope"]
    search_fields = ["username", "address"]
    readonly_fields = [f.name for f in SignInThrottle._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
