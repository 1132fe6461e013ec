# Klustera — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KLUSTERA := $(BIN)/klustera
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench messages css clean stack stack-test

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

## Set everything up, create the demo complex once and serve on http://localhost:8000
run: setup
	$(KLUSTERA) tenants migrate
	$(KLUSTERA) demo
	$(KLUSTERA) serve --bind 127.0.0.1:8000

## Lint, type-check and run the whole test suite with coverage, on two workers
test: setup lint
	$(BIN)/pytest -n 2 --dist loadgroup

## Python: ruff, mypy and the layers; the hand-written JavaScript: ESLint and Prettier
lint: setup $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy klustera
	$(BIN)/lint-imports
	npm run --silent lint

## The scaled-out topology on this machine until Ctrl-C: nginx, 2 app instances, PgBouncer,
## two PostgreSQL clusters and a streaming replica, Redis, a worker per queue (README › Production)
stack: setup
	$(BIN)/python -m stack

## The topology's own tests (also in `make test`): it comes up and answers through nginx,
## PgBouncer, the replica, moving a complex, and the failure drills
stack-test: setup
	$(BIN)/pytest --no-cov -p no:cacheprovider tests/test_stack.py tests/test_pgbouncer.py \
		tests/test_gunicorn.py klustera/tenancy/tests/test_replicas.py klustera/tenancy/tests/test_move.py

## Benchmarks (not part of `make test`); they print figures and ratios
bench: setup
	$(BIN)/python bench/tenancy.py
	$(BIN)/python bench/notify.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/billing.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/helpdesk.py
	$(BIN)/python bench/facilities.py
	$(BIN)/python bench/operations.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/community.py
	$(BIN)/python bench/privacy.py
	$(BIN)/python bench/backup.py
	$(BIN)/python bench/load.py

## Refresh and compile the Indonesian translations (needs GNU gettext)
messages: setup
	cd klustera && ../$(KLUSTERA) makemessages -l id --no-location --ignore "*/tests/*"
	cd klustera && ../$(KLUSTERA) compilemessages

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .coverage

## Rebuild the portal's CSS with Tailwind (needs Node and npm; the built file is committed)
css: $(NODE_STAMP)
	npm run css
