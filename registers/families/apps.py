from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "registers.families"
    label = "families"
    verbose_name = "Families"
