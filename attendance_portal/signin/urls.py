from __future__ import annotations

from django.urls import path

from attendance_portal.signin import views

app_name = "signin"

urlpatterns = [
    path("sign-in/", views.locks, name="locks"),
]
