"""gunicorn's settings, read from the folder it is started in (the project's,
and the Docker image's /app): the command line says the rest.

- LOG_FORMAT=json: gunicorn's own lines (workers booting and dying, its
  errors) are JSON objects too, as the application's are (README, Operating).
- PROMETHEUS_MULTIPROC_DIR: when a worker exits, its live gauges are
  dropped from /metrics (its counters stay in the sum).
"""

import os

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn merges this over its own defaults key by key: each key whole.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "{levelname}{name}{message}{process}",
                "style": "{",
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
