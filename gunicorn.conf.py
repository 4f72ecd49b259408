"""gunicorn settings of the web process (read from the working directory by default;
``gunicorn config.wsgi`` in the Dockerfile and docker-compose.yml).

Chosen by measurement with ``python -m tests.bench.run --only throughput`` on the
2-core bench machine (1M items): see the numbers in the comments. Every value can be
overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Measured at concurrency 16 (two rounds each, machine load 11-13 from other work, so
# compare, don't quote): /items/ p50 — sync 3 workers 2.4-2.6 s (CONN_MAX_AGE 0) and
# 2.9-5.9 s (60), sync 5 workers 2.3-4.8 s, gthread 2x4 2.4-2.5 s, gthread 3x4 1.0-1.1 s;
# /healthz: 26 req/s without persistent connections, 220-620 req/s with them.
# So: cores + 1 processes of 4 threads each, connections kept.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Threads (gthread) let a worker overlap its database waits and keep connections
# alive between requests.
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# Import the app once in the master: workers fork with Django set up (faster start,
# shared memory; not a throughput setting, not measured). No connection is opened at
# import, so nothing is shared by mistake.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes", "on")

# A worker is replaced after this many requests (a slow leak stays bounded).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))

# Persistent database connections in the web processes: opening one costs a
# connection and authentication per request (≈ 3-5 ms here). Django checks a reused
# connection before each request (CONN_HEALTH_CHECKS in settings).
os.environ.setdefault("CONN_MAX_AGE", "60")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


# With PROMETHEUS_MULTIPROC_DIR set, each worker writes its request metrics
# (django-prometheus) to files there and /metrics adds them up (prometheus-client's
# multiprocess mode): the folder is emptied when gunicorn starts, and a worker that
# exits is marked dead so its gauges drop out.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
