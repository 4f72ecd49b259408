"""Celery tasks of casework (found by autodiscover_tasks): thin wrappers that call the
modules holding the rules. Imports in imports.py, verification and quiet periods in
checks.py, the one job sweeper in jobs.py, near-duplicate grouping in variants.py, the
rollups' compaction in rollups.py."""

from casework.tasks import checks, imports, jobs, rollups, variants  # noqa: F401
