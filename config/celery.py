"""The Celery app: configured once, from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("desist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _leave_time_limits_to_the_worker(sender=None, headers=None, **kwargs):
    """Publish without time limits, so the worker's own settings decide them.

    Celery stamps the publisher's ``task_time_limit`` on every message, and a
    worker obeys the stamp over its own configuration.
    """
    if headers is not None and "timelimit" in headers:
        headers["timelimit"] = (None, None)
