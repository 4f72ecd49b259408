"""Health, readiness and metrics endpoints for load balancers, orchestrators and
Prometheus.

- ``/healthz``: the process is up and its database answers (liveness; docker compose).
- ``/readyz``: everything a request may need answers: the database, Redis (broker and
  rate limiter) and the file storage; otherwise 503 naming what failed, so a load
  balancer sends no traffic to an instance that cannot serve it.
- ``/metrics``: Prometheus text, only with ``Authorization: Bearer <METRICS_TOKEN>``
  or from an address in METRICS_ALLOWED_NETWORKS (compared with the client address
  as config.signin reads it: X-Forwarded-For only from TRUSTED_PROXIES).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from casework.metrics import ScrapeCollector
from config.signin import client_ip

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.READYZ_TIMEOUT_SECONDS,
        socket_timeout=settings.READYZ_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    """The storage answers: a local folder must exist and be writable; a remote
    backend (S3) must answer a lookup of one key."""
    location = getattr(default_storage, "location", None)
    if location is not None and not hasattr(default_storage, "bucket_name"):
        if not (os.path.isdir(location) and os.access(location, os.W_OK)):
            raise OSError(f"{location} is not a writable folder")
        return
    default_storage.exists("readyz-probe")


CHECKS = {"database": _database, "redis": _redis, "storage": _storage}


@never_cache
def readyz(request):
    results, failed = {}, []
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # any failure means not ready; named in the answer
            logger.warning("readyz: %s unreachable: %s: %s", name, type(exc).__name__, exc)
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            failed.append(name)
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    body = {"status": "ok" if not failed else "unavailable", "failed": failed, "checks": results}
    return JsonResponse(body, status=503 if failed else 200)


def _metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    auth = request.headers.get("Authorization", "")
    given = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in net for net in settings.METRICS_ALLOWED_NETWORKS)


def _process_registry():
    """django-prometheus's request metrics: this process's, or with several gunicorn
    workers (PROMETHEUS_MULTIPROC_DIR) the sum over all of them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
def metrics(request):
    if not _metrics_allowed(request):
        response = HttpResponse("Metrics need a bearer token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(ScrapeCollector())
    body = generate_latest(_process_registry()) + generate_latest(scrape)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
