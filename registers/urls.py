from __future__ import annotations

import datetime as dt

from django.urls import path, register_converter

from attendance_portal.dates import parse_date
from registers import views
from registers.views import leave
from registers.views.bulk import bulk_marks
from registers.views.cover import cover
from registers.views.fire import fire
from registers.views.latebook import late_book
from registers.views.leavers import early_leavers
from registers.views.missing import missing_marks
from registers.views.photos import pupil_photo
from registers.views.privacy import pupil_export
from registers.views.pupils import pupil_ctf, pupil_search

app_name = "registers"


class IsoDateConverter:
    """YYYY-MM-DD; an impossible date (2025-02-30) or one outside attendance_portal.dates'
    bounds (9999-12-31) is a 404, not a server error."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return parse_date(value)  # ValueError makes the resolver try the next URL

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


class SessionConverter:
    regex = "AM|PM"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Names carry the app's prefix: converters are global and other apps may define their own.
register_converter(IsoDateConverter, "registers_date")
register_converter(SessionConverter, "registers_session")

urlpatterns = [
    path("", views.school_home, name="school_home"),
    path("registers/", views.day, name="day"),
    path("registers/missing-marks/", missing_marks, name="missing_marks"),
    path("registers/cover/", cover, name="cover"),
    path("registers/late-book/", late_book, name="late_book"),
    path("registers/fire-list/", fire, name="fire_list"),
    path("registers/early-leavers/", early_leavers, name="early_leavers"),
    path("registers/bulk/", bulk_marks, name="bulk_marks"),
    path(
        "registers/<int:form_id>/<registers_date:day>/<registers_session:session>/",
        views.take,
        name="take",
    ),
    path("pupils/", views.pupils, name="pupils"),
    path("pupils/search/", pupil_search, name="pupil_search"),
    path("pupils/<int:pk>/", views.pupil, name="pupil"),
    path(
        "pupils/<int:pk>/marks/<registers_date:day>/<registers_session:session>/",
        views.amend,
        name="amend",
    ),
    path("pupils/<int:pk>/ctf.xml", pupil_ctf, name="pupil_ctf"),
    path("leave/", leave.leave_list, name="leave_list"),
    path("leave/new/", leave.leave_new, name="leave_new"),
    path("leave/<int:pk>/", leave.leave_detail, name="leave_detail"),
    path("leave/<int:pk>/decide/", leave.leave_decide, name="leave_decide"),
    path("leave/<int:pk>/letter.pdf", leave.leave_letter, name="leave_letter"),
    path("leave/<int:pk>/refused-taken/", leave.leave_refused_taken, name="leave_refused_taken"),
    path("leave/<int:pk>/withdraw/", leave.leave_withdraw, name="leave_withdraw"),
    path("leave/<int:pk>/review/", leave.leave_review, name="leave_review"),
    path("planned/", leave.planned_list, name="planned_list"),
    path("planned/new/", leave.planned_new, name="planned_new"),
    path("pupils/<int:pk>/export/", pupil_export, name="pupil_export"),
    path("pupils/<int:pk>/photo/", pupil_photo, name="pupil_photo"),
]
