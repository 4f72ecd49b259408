"""Every periodic task in the beat schedule names a task the worker knows."""

from django.conf import settings

from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: unknown task {entry['task']}"
    tasks = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    # One sweeper for every job kind, and the sweeps follow their code.
    assert tasks.count("casework.tasks.jobs.sweep_jobs") == 1
    assert not [t for t in tasks if "stuck" in t]
    assert "notices.tasks.sweep_deadlines" in tasks
    assert "notices.tasks.send_reminders" in tasks
