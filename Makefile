# The targets here are exactly what the README and CI run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := static/vendor
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test e2e chromium install assets translations messages lint serve clean

demo: install assets translations
	$(BIN)/consult db upgrade
	$(BIN)/consult demo
	$(BIN)/consult run --host $(HOST) --port $(PORT)

test: install assets translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# End-to-end journeys in Debian's Chromium driven by Playwright; screenshots in artifacts/e2e.
e2e: install assets translations chromium
	$(BIN)/python -m pytest -m e2e tests/e2e

# Playwright never downloads a browser here: it drives Debian's chromium package.
chromium:
	test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# torch is pinned first: the CPU build lies on this machine's disk, and anything that later
# asks for torch (sentence-transformers, via bertopic) must not pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Front-end libraries come from the npm registry and are copied into static/vendor (not committed).
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/bootstrap-italia $(VENDOR)/htmx $(VENDOR)/htmx-ext-sse
	cp -r node_modules/bootstrap-italia/dist $(VENDOR)/bootstrap-italia/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx-ext-sse/
	touch $@

assets: $(VENDOR)/.installed

translations: install
	$(BIN)/pybabel compile -d consult/translations

# Regenerate the message catalogue after changing strings, then translate the new entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o consult/translations/messages.pot .
	$(BIN)/pybabel update -i consult/translations/messages.pot -d consult/translations --no-fuzzy-matching

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Live sessions keep one Server-Sent Events connection per projector and moderation page open,
# so gunicorn runs threaded (gthread) workers. Live events cross processes only through Redis:
# without REDIS_URL one worker serves everything (with many threads); with it, two.
WORKERS ?= $(if $(REDIS_URL),2,1)
THREADS ?= 32
serve: install assets translations
	$(BIN)/gunicorn --worker-class gthread --workers $(WORKERS) --threads $(THREADS) \
		--bind $(HOST):$(PORT) wsgi:app

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance
