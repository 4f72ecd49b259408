from django.conf import settings
from django.core.management.base import BaseCommand

from casework.demo import DEMO_PASSWORD
from notices.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo case (Netflix v. ByteDance over Seedance 2.0). Safe to run again."

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            "Demo case loaded: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        )
        if settings.DEBUG:
            self.stdout.write(
                "Demo logins (password "
                f"'{DEMO_PASSWORD}'): netflix-legal, netflix-manager, netflix-viewer, "
                "wb-legal, wb-manager, paramount-legal, paramount-manager, admin"
            )
        else:
            self.stdout.write("DEBUG is off: demo users have no password (set one to sign in).")
