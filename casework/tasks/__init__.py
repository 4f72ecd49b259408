"""Celery tasks of casework (found by autodiscover_tasks): thin wrappers that call the
modules holding the rules. Imports in imports.py, verification and sweeps in checks.py."""

from casework.tasks import checks, imports  # noqa: F401
