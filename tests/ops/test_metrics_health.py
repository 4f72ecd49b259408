"""/metrics (Prometheus, behind a token or an allow-list), /readyz (database, Redis and
storage), and the request id echoed on responses."""

import ipaddress
import re
import socket

import pytest
from django.urls import reverse

from casework import metrics
from casework.metrics import KEY_PREFIX

pytestmark = pytest.mark.django_db

ITEM_LIST_OK = re.compile(
    r'^django_http_responses_total_by_status_view_method_total\{method="GET",'
    r'status="200",view="casework:item-list"\} ([0-9.]+)$',
    re.M,
)


TOKEN = "scrape-token-123"


def scrape(app, token=TOKEN, status=200, **extra):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.get("/metrics", headers=headers, status=status, **extra)


def served(text):
    found = ITEM_LIST_OK.search(text)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    client = metrics.client()
    client.delete(*(client.keys(KEY_PREFIX + "*") or ["-"]))
    return settings


def test_metrics_count_requests_by_view_and_status(app, legal, metrics_on):
    before = served(scrape(app).text)
    for _ in range(3):
        app.get(reverse("casework:item-list"), user=legal)
    text = scrape(app).text
    assert served(text) == before + 3
    assert "django_http_requests_latency_seconds_by_view_method_bucket{" in text
    assert 'view="casework:item-list"' in text


def test_metrics_show_queues_jobs_renders_and_check_outcomes(app, metrics_on):
    from config.celery import app as celery_app

    celery_app.control.purge()
    metrics.observe_render("letter", 1800)
    metrics.observe_check("gone", 120)
    metrics.observe_check("gone", 40)
    metrics.observe_check("live", 9000)
    text = scrape(app).text
    for queue in ("default", "letters", "checks", "imports-exports", "reports"):
        assert f'desist_queue_depth{{queue="{queue}"}} 0.0' in text
    assert 'desist_render_duration_seconds_bucket{kind="letter",le="1.0"} 0.0' in text
    assert 'desist_render_duration_seconds_bucket{kind="letter",le="2.5"} 1.0' in text
    assert 'desist_render_duration_seconds_sum{kind="letter"} 1.8' in text
    assert 'desist_check_duration_seconds_bucket{le="0.05",outcome="gone"} 1.0' in text
    assert 'desist_check_duration_seconds_count{outcome="gone"} 2.0' in text
    assert 'desist_check_outcomes_total{outcome="gone"} 2.0' in text
    assert 'desist_check_outcomes_total{outcome="live"} 1.0' in text
    assert "desist_metrics_redis_up 1.0" in text
    assert "# TYPE desist_jobs gauge" in text


def test_metrics_show_jobs_by_kind_and_status(app, legal, netflix, metrics_on):
    from casework.models import ImportJob

    ImportJob.objects.create(created_by=legal, rights_holder=netflix)
    assert 'desist_jobs{kind="casework.importjob",status="pending"} 1.0' in scrape(app).text


def test_metrics_refuse_anonymous_and_wrong_tokens(app, legal, metrics_on):
    refused = scrape(app, token=None, status=401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "django_http" not in refused.text
    scrape(app, token="scrape-token-12", status=401)
    scrape(app, token="scrape-token-1234", status=401)
    # A signed-in person is not a scraper either.
    app.get("/metrics", user=legal, status=401)


def test_metrics_refuse_everyone_when_no_token_is_set(app, metrics_on):
    metrics_on.METRICS_TOKEN = ""
    scrape(app, token="", status=401)
    scrape(app, token=None, status=401)


def test_metrics_answer_an_allowed_network_without_a_token(app, metrics_on):
    metrics_on.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    scrape(app, token=None, status=401, extra_environ={"REMOTE_ADDR": "10.2.0.5"})
    page = scrape(app, token=None, extra_environ={"REMOTE_ADDR": "10.1.3.4"})
    assert "desist_queue_depth" in page.text


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_is_ready_when_everything_answers(app):
    page = app.get("/readyz")
    assert page.json["status"] == "ok"
    assert page.json["failed"] == []
    assert set(page.json["checks"]) == {"database", "redis", "storage"}


def test_readyz_fails_naming_redis_when_redis_is_unreachable(app, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    page = app.get("/readyz", status=503)
    assert page.json["status"] == "unavailable"
    assert page.json["failed"] == ["redis"]
    assert "Connection" in page.json["checks"]["redis"]["error"]
    assert page.json["checks"]["database"]["ok"] is True
    app.get("/healthz", status=200)  # the process itself is up


def test_readyz_fails_naming_storage_when_the_folder_is_missing(app, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "gone")
    page = app.get("/readyz", status=503)
    assert page.json["failed"] == ["storage"]


def test_a_request_id_is_echoed_or_made(app, legal):
    given = app.get(reverse("casework:item-list"), user=legal, headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = app.get(reverse("casework:item-list"), user=legal)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    # Not an id: replaced rather than written into the logs as it came.
    odd = app.get("/healthz", headers={"X-Request-ID": 'x" injected\tvalue'})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])
