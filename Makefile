# Desist: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The test services: an embedded PostgreSQL 18 and Redis (scripts/services.sh starts them).
TEST_DATABASE_URL ?= postgres://desist:desist@127.0.0.1:55432/desist
TEST_REDIS_URL ?= redis://127.0.0.1:56379/0
BENCH_DATABASE_URL ?= postgres://desist:desist@127.0.0.1:55432/desist_bench

.PHONY: run test bench loadtest lint format services stop-services install clean

$(STAMP): pyproject.toml
	scripts/venv.sh
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@PORT=$(PORT) scripts/run.sh

services: $(STAMP)
	@scripts/services.sh

stop-services: $(STAMP)
	$(BIN)/python scripts/devservers.py stop --pg-dir var/test-pg --redis-dir var/test-redis

test: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=false SECRET_KEY=test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	  DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP) services
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=false \
	  SECRET_KEY=bench-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	  $(BIN)/python -m tests.bench.run $(BENCH_ARGS)

# Locust against gunicorn and two workers on 127.0.0.1 (scripts/loadtest.sh); a few
# minutes, LOADTEST_TIME=1m to shorten it.
loadtest: $(STAMP) services
	@scripts/loadtest.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/media staticfiles
