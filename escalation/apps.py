from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"

    def ready(self) -> None:
        # Installs the Celery tasks for the jobs the services start (services.jobs): in
        # the web process too, where Celery's autodiscovery does not import it.
        from escalation import tasks  # noqa: F401
        from escalation.services.cases import refuse_purge_of_open_cases
        from registers.services.privacy import register_purge_guard

        # The retention purge (registers, the layer below) must not remove a pupil whose
        # case is still open; registers cannot import escalation, so escalation says so.
        register_purge_guard(refuse_purge_of_open_cases)
