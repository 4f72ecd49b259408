"""``python -m tests.load.prepare``: the load test's database and users (make loadtest).

Migrates LOADTEST's database (DATABASE_URL), fills it with the bench's generator
(tests/bench/loadgen.py) when it holds fewer than LOADTEST_ITEMS items, and makes the
load users of the rights holder with the most items: ``load-legal`` (legal staff) and
``load-manager`` (manager), password LOADTEST_PASSWORD. If this build has the REST API
(casework.api.keys), it also makes a write key and prints ``LOADTEST_API_KEY=<token>``
for scripts/loadtest.sh to hand to Locust. Prints shell assignments only on stdout.
"""

import os

import django


def main() -> None:
    from tests.bench.database import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from casework.choices import Role
    from casework.models import InfringingItem, RightsHolder
    from tests.bench.database import prepare

    items = int(os.environ.get("LOADTEST_ITEMS", "20000"))
    prepare(items, max(items // 100, 10))
    top = (
        InfringingItem.objects.values("rights_holder")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    holder = RightsHolder.objects.get(pk=top["rights_holder"])
    password = os.environ["LOADTEST_PASSWORD"]
    users = {}
    for username, role in (("load-legal", Role.LEGAL), ("load-manager", Role.MANAGER)):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@desist.example"}
        )
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role.value)[0]])
        holder.members.add(user)
        users[username] = user
    print(f"LOADTEST_HOLDER={holder.code}")
    try:
        from casework.api.keys import create_key
    except ImportError:
        return  # no REST API in this build: the API user class skips itself
    _key, token = create_key(holder, name="load test", scope="write", by=users["load-manager"])
    print(f"LOADTEST_API_KEY={token}")


if __name__ == "__main__":
    main()
