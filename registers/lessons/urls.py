from django.urls import path

# The date converter "registers_date" is registered by registers.urls (imported first by
# attendance_portal.urls).
import registers.urls

from .views import alerts, pastoral, registers, reports

app_name = "lessons"

urlpatterns = [
    path("", registers.my_day, name="my_day"),
    path("<int:lesson_id>/<registers_date:day>/", registers.take, name="take"),
    path("missing/", registers.missing, name="missing"),
    path("alerts/", alerts.alerts, name="alerts"),
    path("alerts/<int:pk>/", alerts.alert, name="alert"),
    path("marks/<int:pk>/correct/", alerts.correct, name="correct"),
    path("pastoral-leads/", pastoral.leads, name="pastoral_leads"),
    path("pastoral-leads/<int:pk>/remove/", pastoral.remove, name="remove_pastoral_lead"),
    path("report/", reports.report, name="report"),
    path("patterns/", reports.patterns, name="patterns"),
    path("pupils/<int:pk>/", reports.pupil, name="pupil"),
]
