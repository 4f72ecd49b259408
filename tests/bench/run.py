"""``python -m tests.bench.run`` (``make bench``): speed on generated data at scale.

Creates (or reuses) the data set in its own database, then runs every registered
scenario and prints one table: median and p95 of each variant, its queries, and
its ratio against the scenario's baseline measured in the same run. Timings are
never asserted anywhere: this is a report, not a test.

Options: ``--items`` (default 1,000,000), ``--demands`` (default 10,000),
``--repeat`` (timed runs per variant), ``--only <scenario>`` (repeatable),
``--quick`` (20,000 items and 200 demands in a database of their own: a smoke run),
``--list`` (the registered scenarios).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from tests.bench.database import DEFAULT_ITEMS, database_url_for, ensure_database, log, prepare

QUICK_ITEMS, QUICK_DEMANDS = 20_000, 200


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--items", type=int, default=None, help="items (default 1,000,000)")
    parser.add_argument("--demands", type=int, default=None, help="demands (default 10,000)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per variant")
    parser.add_argument("--only", action="append", default=[], help="run only this scenario")
    parser.add_argument("--quick", action="store_true", help="a small data set, for a smoke run")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    args = parser.parse_args(argv)
    if args.items is None:
        args.items = QUICK_ITEMS if args.quick else DEFAULT_ITEMS
    if args.demands is None:
        args.demands = QUICK_DEMANDS if args.quick else 10_000
    if args.repeat is None:
        args.repeat = 5 if args.quick else 20
    return args


def configure_environment(url: str) -> None:
    """Settings for running pages in-process with Django's test client."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    # In-process requests: plain http, the test client's host, unhashed static names.
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("EMAIL_URL", "memorymail://")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:56379/0")  # make bench's Redis


def build_context(args, scale):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from casework.choices import Role, Stage
    from casework.models import InfringingItem, Platform, RightsHolder
    from tests.bench.registry import Context

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    top = (
        InfringingItem.objects.values("rights_holder")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    holder = RightsHolder.objects.get(pk=top["rights_holder"])
    User = get_user_model()
    legal, created = User.objects.get_or_create(
        username="bench-legal", defaults={"email": "bench-legal@desist.example"}
    )
    if created:
        legal.set_unusable_password()
        legal.save()
    legal.groups.add(Group.objects.get_or_create(name=Role.LEGAL.value)[0])
    holder.members.add(legal)
    superuser, created = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "bench-admin@desist.example"},
    )
    if created:
        superuser.set_unusable_password()
        superuser.save()
    franchise = (
        holder.franchises.filter(name="Squid Game").first()
        or holder.franchises.annotate(n=Count("items")).order_by("-n").first()
    )
    platform = Platform.objects.filter(name="Seedance 2.0").first() or Platform.objects.first()
    element = (
        franchise.elements.filter(name__icontains="doll").first() or franchise.elements.first()
    )
    q = "doll" if "doll" in element.name.lower() else element.name.split()[-1].lower()
    return Context(
        repeat=args.repeat,
        quick=args.quick,
        items=scale["items"],
        demands=scale["demands"],
        holder=holder,
        legal=legal,
        superuser=superuser,
        franchise=franchise,
        platform=platform,
        stage=Stage.NOTIFIED,
        q=q,
    )


def run_scenarios(ctx, only):
    from tests.bench.registry import SCENARIOS, Row

    ordered = sorted(SCENARIOS.values(), key=lambda s: s.order)
    chosen = [s for s in ordered if not only or s.key in only]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        raise SystemExit(
            f"Unknown scenario(s) {', '.join(sorted(unknown))}; known: {', '.join(SCENARIOS)}"
        )
    rows = []
    for item in chosen:
        log(f"bench: {item.key} — {item.title}")
        started = time.monotonic()
        try:
            for row in item.func(ctx):
                row.scenario = item.title
                # The machine's 1-minute load when the variant finished: timings taken
                # under a load of 6 on two cores are not those of a quiet machine.
                row.load = os.getloadavg()[0]
                rows.append(row)
        except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
            rows.append(
                Row(
                    variant="failed",
                    n=0,
                    note=f"{type(exc).__name__}: {exc}"[:150],
                    scenario=item.title,
                )
            )
        log(f"bench: {item.key} took {time.monotonic() - started:.1f}s")
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    base_url = os.environ.get(
        "DATABASE_URL", "postgres://desist:desist@127.0.0.1:55432/desist_bench"
    )
    url = database_url_for(base_url, args.items)
    configure_environment(url)

    import django

    django.setup()

    from tests.bench import scenarios
    from tests.bench.registry import SCENARIOS
    from tests.bench.table import render

    scenarios.load_all()
    if args.list:
        for item in sorted(SCENARIOS.values(), key=lambda s: s.order):
            print(f"{item.key:20} {item.title}")
        return 0
    name = url.rsplit("/", 1)[-1]
    if ensure_database(url):
        log(f"bench: created database {name}")
    scale = prepare(args.items, args.demands)
    ctx = build_context(args, scale)
    rows = run_scenarios(ctx, args.only)
    load = (
        f"loadgen {scale['load_seconds']:.1f}s"
        if scale["load_seconds"] is not None
        else "data set reused"
    )
    print(
        f"Desist bench — database {name}: {scale['items']:,} generated items, "
        f"{scale['demands']:,} demands ({load}); {ctx.holder.name} as {ctx.legal.username}; "
        f"{args.repeat} timed runs per variant unless noted"
    )
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
