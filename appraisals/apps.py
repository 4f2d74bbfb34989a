from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    # Appraisals of staff against published profile versions arrive with
    # their own issue; the app is registered so the layout stays stable.
    name = "appraisals"
    verbose_name = "Appraisals"
