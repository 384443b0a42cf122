# The two commands of the README: `make run` (the app on SQLite, with the alliance and demo data)
# and `make test` (the whole suite on PostgreSQL and Redis). Everything else here serves those two.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo accounts' password for a local run; set DEMO_PASSWORD to choose your own.
DEMO_PASSWORD ?= alliance-demo-2014
# seed_demo builds and publishes the demo's reports (a minute or two); DEMO_ARGS=--without-reports skips it.
DEMO_ARGS ?=
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance_monitor
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PORT ?= 8000

.PHONY: run test setup check-services lint bench messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.12 or newer is needed (found %s); pyenv: see .python-version" % sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0 || echo "gettext missing: Dutch interface texts stay English (apt-get install gettext)"
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_alliance
	DEMO_PASSWORD='$(DEMO_PASSWORD)' $(BIN)/python manage.py seed_demo $(DEMO_ARGS)
	@echo "Alliance Monitor: http://127.0.0.1:$(PORT)/  (demo accounts: staff-nl, staff-be, staff-secretariat, reviewer, minister, admin, focal-nl, focal-be; password: $(DEMO_PASSWORD))"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

check-services:
	@$(BIN)/python scripts/check_services.py '$(TEST_DATABASE_URL)' '$(TEST_REDIS_URL)'

test: setup check-services
	$(BIN)/ruff check .
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0
	DATABASE_URL='sqlite:///:memory:' $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' DEBUG=true \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages: setup
	$(BIN)/python manage.py makemessages -l nl --ignore '.venv' --ignore 'staticfiles'
