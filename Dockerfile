# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint's native libraries and the letter font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install .
COPY . .
# collectstatic reads the settings, which require the URLs; it connects to neither.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789abcdefghijklmnopq \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v0 \
 && useradd --create-home --uid 1000 desist \
 && mkdir -p /app/var/media \
 && chown -R desist /app/var
USER desist
EXPOSE 8000
# gunicorn.conf.py (in /app, read by default) sets the bind address, workers and threads.
CMD ["gunicorn", "config.wsgi", "--access-logfile", "-"]
