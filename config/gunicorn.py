"""gunicorn settings hooks (`gunicorn -c config/gunicorn.py config.wsgi`).

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its request metrics
(django-prometheus) to files there and /metrics adds them up (prometheus-client's
multiprocess mode): the folder is emptied when gunicorn starts, and a worker that
exits is marked dead so its gauges drop out.
"""

import os
from pathlib import Path


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
