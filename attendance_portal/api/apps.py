from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "attendance_portal.api"
    label = "api"
    verbose_name = "HTTP API"
