"""Staff change their own password, or reset it by email: Django's views, the site's
templates (templates/registration/) and its EMAIL_BACKEND. The names are Django's own."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from attendance_portal.login import ThrottledPasswordChangeView
from attendance_portal.signin.views import PasswordResetConfirmView, PasswordResetView

urlpatterns = [
    path("password/change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
