"""Every periodic task in the beat schedule names a task the worker knows."""

from django.conf import settings

from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: unknown task {entry['task']}"
    assert "casework.tasks.imports.requeue_stuck_imports" in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "notices.tasks.sweep_stuck_letters" in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }
