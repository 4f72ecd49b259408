from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self):
        from config.celery import ensure_broker_folders

        ensure_broker_folders()
