from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"

    def ready(self) -> None:
        from escalation import tasks_letters  # noqa: F401  (autodiscovery imports tasks.py only)
        from escalation.services.cases import refuse_purge_of_open_cases
        from registers.services.privacy import register_purge_guard

        # The retention purge (registers, the layer below) must not remove a pupil whose
        # case is still open; registers cannot import escalation, so escalation says so.
        register_purge_guard(refuse_purge_of_open_cases)
