from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "registers.families"
    label = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # Installs the tasks for services/jobs.py in every process, not only in workers.
        from registers.families import tasks  # noqa: F401
