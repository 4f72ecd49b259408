"""CSV import tasks."""
