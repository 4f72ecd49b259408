"""The one sweeper of every job kind (casework.jobs.sweep), run by beat."""

from celery import shared_task

from casework import jobs


@shared_task(ignore_result=True)
def sweep_jobs() -> int:
    return sum(len(ids) for ids in jobs.sweep().values())
