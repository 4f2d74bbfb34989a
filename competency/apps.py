from django.apps import AppConfig


class CompetencyConfig(AppConfig):
    name = "competency"
    verbose_name = "Frameworks and catalogue"

    def ready(self):
        from competency import security, sessions, task_signals

        # The security log's receivers of sign-in, sign-out, lockout and
        # rights changes; the session's start, for its time limits.
        security.connect()
        sessions.connect()
        # The request id into Celery tasks and the failed-task counter, when
        # Celery is installed (in the web processes and the worker alike).
        task_signals.connect()
