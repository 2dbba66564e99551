from __future__ import annotations

from django.urls import path

from attendance_portal.identity import oidc, views

app_name = "identity"

urlpatterns = [
    path("accounts/security/", views.account, name="account"),
    path("accounts/security/verify/", views.verify, name="verify"),
    path("accounts/security/enrol/", views.enrol, name="enrol"),
    path("accounts/security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/sso/start/", oidc.SsoStart.as_view(), name="sso_start"),
    path("accounts/sso/callback/", oidc.SsoCallback.as_view(), name="sso_callback"),
    path("accounts/sso/refused/", oidc.sso_refused, name="sso_refused"),
    path("s/<str:urn>/staff-security/", views.staff, name="staff"),
    path(
        "s/<str:urn>/staff-security/<int:user_id>/reset/",
        views.staff_reset,
        name="staff_reset",
    ),
]
