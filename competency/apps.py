from django.apps import AppConfig


class CompetencyConfig(AppConfig):
    name = "competency"
    verbose_name = "Frameworks and catalogue"
