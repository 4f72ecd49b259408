"""``python -m tests.bench.generate_load --items N --demands M``: the bench's data set
in the database of DATABASE_URL, without running the bench (see tests.bench.loadgen)."""

import os


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from tests.bench.loadgen import run

    run()


if __name__ == "__main__":
    main()
