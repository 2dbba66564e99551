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

        # The demo's casework (cases, letters, calls, leave) runs after seed_demo builds
        # the school: registers cannot import escalation, so escalation adds its step.
        from escalation.demo import seed_casework
        from registers.demo import register_demo_step

        register_demo_step(seed_casework)
