from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"

    def ready(self) -> None:
        from escalation import tasks_letters  # noqa: F401  (autodiscovery imports tasks.py only)
