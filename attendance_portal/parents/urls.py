from __future__ import annotations

from django.urls import path

from attendance_portal.parents import views

app_name = "parents"

urlpatterns = [
    path("", views.start, name="start"),
    path("code/", views.code, name="code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("children/", views.home, name="home"),
    path("children/<int:pk>/", views.child, name="child"),
    path("children/<int:pk>/absence/", views.report_absence, name="report_absence"),
    path("children/<int:pk>/leave/", views.request_leave, name="request_leave"),
    path("children/<int:pk>/messages/", views.message_choice, name="message_choice"),
]
