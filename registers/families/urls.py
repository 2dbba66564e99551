"""Families' staff pages, under /s/<urn>/families/."""

from __future__ import annotations

from django.urls import path

from registers.families import views

app_name = "families"

urlpatterns = [
    path("wording/", views.wordings, name="wordings"),
    path("wording/<str:kind>/", views.wording_edit, name="wording"),
    path("contacts/<int:pk>/opt-out/", views.contact_opt_out, name="contact_opt_out"),
]
