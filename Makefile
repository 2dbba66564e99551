# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEMO_PASSWORD ?= demo-attendance-2026
# DEBUG is off unless set (production never gets it by accident): the local commands turn
# it on. The tests' settings (tests/settings.py) set it themselves.
DEV := DEBUG=true

.PHONY: install run test test-fast lint check pytest bench e2e screenshots clean axe

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo --password $(DEMO_PASSWORD)
	@echo "Serving on http://$(HOST)/ (Ctrl-C to stop)"
	$(DEV) $(PY) manage.py runserver $(HOST)

# Dead code (vulture): its settings are in pyproject.toml [tool.vulture], the names only
# templates, the ORM or Django use in vulture_whitelist.py.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/vulture

check: install
	$(DEV) $(PY) manage.py check
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

# The whole suite in two runs: everything but the browser, Celery-worker and replica tests
# over TEST_WORKERS processes (pytest-xdist, a test database each), then those three kinds
# one at a time (one live server, one worker, one replica). CI has two cores.
TEST_WORKERS ?= 2
pytest: install axe
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) -m "not browser and not worker and not replica"
	$(VENV)/bin/pytest -q -m "browser or worker or replica"

# axe-core (accessibility rules) for the browser suite, in the ignored folder .axe/. Without
# npm the accessibility tests skip locally (CI installs npm and fails them if it is missing).
AXE_JS := .axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)

$(AXE_JS):
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-save --prefix .axe axe-core@4; \
	else echo "npm is not installed: the axe-core accessibility tests will skip"; fi

test: lint check pytest

# The developer's loop: every test but the browser, the Celery worker and the slow ones
# (marker "slow": subprocesses, the demo trust), spread over the cores by pytest-xdist
# (each worker has its own test database). `make test` and CI run everything.
FAST_WORKERS ?= auto
test-fast: install
	$(VENV)/bin/pytest -q -n $(FAST_WORKERS) -m "not browser and not worker and not slow"

e2e: install axe
	$(VENV)/bin/pytest -q -m browser

# The browser suite saves its screenshots under test-results/ (ignored), so `make test` never
# changes tracked files. This refreshes the pictures the README shows, on purpose.
screenshots: install
	$(VENV)/bin/pytest -q -m browser
	for f in docs/screenshots/*.png; do \
	  n=$$(basename "$$f"); [ ! -f "test-results/screenshots/$$n" ] || cp "test-results/screenshots/$$n" "$$f"; \
	done

bench: install
	$(DEV) $(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .axe
