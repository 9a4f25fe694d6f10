# Daily commands. `make run` and `make test` are all a new developer needs.
# Every target is safe to run again; stamp files skip the slow steps when nothing changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app guide
PYTEST_ARGS ?=

APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
NODE_STAMP := node_modules/.installed-fritidsguide

# Settings for the local demo server (and its database commands).
DEMO_ENV := FRITIDSGUIDE_DEMO_MODE=1 FRITIDSGUIDE_ENVIRONMENT=development

# Steps depend on each other's side effects (the venv, node_modules): keep them in order.
.NOTPARALLEL:

.PHONY: run test test-postgresql lint fmt migrate install install-test assets translations \
	chromium java pdf-fonts demo-data

## run: install, build, migrate, load demo data once, serve on http://127.0.0.1:$PORT (5000)
## (with the outbox worker and a local mail sink on $SMTP_PORT (8025) that prints each e-mail)
run: install assets translations pdf-fonts migrate demo-data
	exec env $(DEMO_ENV) scripts/serve_dev.sh

## test: the whole suite on SQLite, browser tests included
test: install-test assets translations chromium java pdf-fonts
	$(PY) -m pytest $(PYTEST_ARGS)

## test-postgresql: the whole suite on a throw-away PostgreSQL database
test-postgresql: install-test assets translations chromium java pdf-fonts
	FRITIDSGUIDE_TEST_DATABASE=postgresql $(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff's checks and formatting, as CI runs them
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## fmt: format the code and apply ruff's safe fixes
fmt: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## migrate: bring the local (demo) database to the newest schema
migrate: install
	$(DEMO_ENV) $(FLASK) db upgrade

# Loads the fictional demo organisation only into a database that has no organisation yet.
demo-data: install
	@$(DEMO_ENV) $(PY) scripts/has_organisation.py; status=$$?; \
	if [ $$status -eq 3 ]; then $(DEMO_ENV) $(FLASK) demo load; \
	elif [ $$status -ne 0 ]; then exit $$status; \
	else echo "Demo data already loaded (the accounts were printed by the first 'make run')."; fi

.PHONY: bench bench-quick

## bench: the full benchmark (SQLite and PostgreSQL, 1 000 and 100 000 cases) -> bench/results.md
bench: install-test translations
	$(PY) bench/run.py

## bench-quick: every workload briefly at 1 000 cases (CI smoke test); fails on any error or 5xx
bench-quick: install-test translations
	$(PY) bench/run.py --quick

install: $(APP_STAMP)
install-test: $(TEST_STAMP)

$(PY):
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV). On Debian: apt-get install python3-venv" >&2; exit 1; }

$(APP_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(TEST_STAMP): $(APP_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: $(NODE_STAMP) | $(PY)
	$(PY) scripts/build_assets.py

translations: install
	$(PY) scripts/compile_translations.py

chromium:
	scripts/ensure_chromium.sh

# A Java runtime for the W3C Nu HTML checker (npm vnu-jar) that the tests run on every page.
java:
	scripts/ensure_java.sh

# Pango and the fonts the printable consent form needs (Arabic, Ethiopic, Cyrillic).
pdf-fonts:
	scripts/ensure_pdf_fonts.sh
