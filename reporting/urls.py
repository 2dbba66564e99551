"""Reporting pages, all under /s/<urn>/reporting/ (the urn names the school; for the
trust view it may be any school of the trust the user leads; for the local authority's
view, any school with its LA number)."""

from __future__ import annotations

from django.urls import path

from reporting.views import area, celebration, dashboard, governors, trust

app_name = "reporting"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("pupils/", dashboard.group, name="group"),
    path("governors/", governors.governors, name="governors"),
    path("governors/report.pdf", governors.governors_pdf, name="governors_pdf"),
    path("trust/", trust.trust, name="trust"),
    path("local-authority/", area.local_authority, name="local_authority"),
    path("celebration/", celebration.celebration, name="celebration"),
    path("celebration/messages/", celebration.celebration_messages, name="celebration_messages"),
]
