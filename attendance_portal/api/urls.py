"""/api/v1/: the endpoints, the OpenAPI schema and its browsable docs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from .views import reads, writes

app_name = "api"

urlpatterns = [
    path("schools/", reads.schools, name="schools"),
    path("schools/<str:urn>/figures/", reads.pupil_figures, name="pupil_figures"),
    path("schools/<str:urn>/marks/", writes.marks, name="marks"),
    path("schools/<str:urn>/pupils/", writes.pupils, name="pupils"),
    path("schools/<str:urn>/contacts/", writes.contacts, name="contacts"),
    path("schools/<str:urn>/groups/", reads.school_groups, name="school_groups"),
    path("schools/<str:urn>/bands/", reads.school_bands, name="school_bands"),
    path("schools/<str:urn>/cases/", reads.cases, name="cases"),
    path("schools/<str:urn>/cases/counts/", reads.case_counts, name="case_counts"),
    path("trust/groups/", reads.trust_groups, name="trust_groups"),
    path("trust/bands/", reads.trust_bands, name="trust_bands"),
    # The schema and its docs hold no data: public, so a tool can read them before it has
    # a token. The docs' scripts are served from here (drf-spectacular-sidecar), never a CDN;
    # no ReDoc page: its template fetches Google's fonts and runs an inline script.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
