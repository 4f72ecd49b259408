"""The Celery app: configured once, from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from config import requestid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("desist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _name_redbeat_settings_without_namespace(sender, **kwargs):
    """celery-redbeat reads its settings (CELERY_REDBEAT_* in Django settings) but asks
    for their un-namespaced names to decide whether they were set, and warns otherwise."""
    for name in ("redbeat_redis_url", "redbeat_redis_options"):
        sender.conf[name] = sender.conf[name]


@before_task_publish.connect
def _leave_time_limits_to_the_worker(sender=None, headers=None, **kwargs):
    """Publish without time limits, so the worker's own settings decide them.

    Celery stamps the publisher's ``task_time_limit`` on every message, and a
    worker obeys the stamp over its own configuration.
    """
    if headers is not None and "timelimit" in headers:
        headers["timelimit"] = (None, None)


@before_task_publish.connect
def _carry_the_request_id(sender=None, headers=None, **kwargs):
    requestid.stamp_message(headers)


@task_prerun.connect
def _enter_the_request_id(task=None, **kwargs):
    requestid.enter_task(task)


@task_postrun.connect
def _leave_the_request_id(task=None, **kwargs):
    requestid.leave_task(task)
