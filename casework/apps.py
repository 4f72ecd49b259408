from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self):
        from casework import catalogue

        # Saving or deleting a franchise, element, platform… makes the cached
        # filter choices stale (casework/catalogue.py).
        catalogue.connect()
