from django.apps import AppConfig


class CompetencyConfig(AppConfig):
    name = "competency"
    verbose_name = "Frameworks and catalogue"

    def ready(self):
        # The request id into Celery tasks and the failed-task counter, when
        # Celery is installed (in the web processes and the worker alike).
        from competency import task_signals

        task_signals.connect()
