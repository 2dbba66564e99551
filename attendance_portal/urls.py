from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from attendance_portal import views
from attendance_portal.login import AdminLoginView, ThrottledLoginView
from registers.families import views as families_views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password change and reset by email; the office's unlock page (signin/).
    path("accounts/", include("attendance_portal.signin.account_urls")),
    path("s/<str:urn>/staff/", include("attendance_portal.signin.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Django's admin sign-in, answering a locked attempt as the portal's own page does.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    # Two-step sign-in, single sign-on and the head's staff page (identity/urls.py).
    path("", include("attendance_portal.identity.urls")),
    # The parent portal: its own sign-in and session (attendance_portal/parents).
    path("parents/", include("attendance_portal.parents.urls")),
    path("s/<str:urn>/", include("registers.urls")),
    path("s/<str:urn>/lessons/", include("registers.lessons.urls")),
    path("s/<str:urn>/families/", include("registers.families.urls")),
    # GOV.UK Notify's delivery receipts (a bearer token, no session).
    path("families/notify/receipts/", families_views.notify_receipt, name="notify_receipt"),
    path("s/<str:urn>/escalation/", include("escalation.urls")),
    path("s/<str:urn>/reporting/", include("reporting.urls")),
    # The HTTP API (tokens, not sessions) and the pages where heads manage its tokens.
    path("api/v1/", include("attendance_portal.api.urls")),
    path("s/<str:urn>/api-tokens/", include("attendance_portal.api.page_urls")),
]
