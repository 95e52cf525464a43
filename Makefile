# OIC-PESNET platform. `make run` starts everything on embedded defaults,
# `make test` runs lint, type-check and the whole test suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PKGS   := shared devtools services/registration services/agenda services/actionplan services/notifications services/identity

.PHONY: help venv run test test-faults test-cluster lint fmt unit integration bench lock schemas translations clean

help:
	@echo "make run    - start the whole platform (embedded MongoDB-wire server, SMTP sink, 4 services)"
	@echo "make test   - lint + type-check + all tests (needs RabbitMQ; starts the rest itself)"
	@echo "make test-faults - the fault drill: kill -9, broker stop/start, database kill, poison messages"
	@echo "make test-cluster - a three-node RabbitMQ cluster drill: a node, then the queues' leader, stopped mid-burst"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - the whole path's speed against the broker's and database's own (bench/results.json)"
	@echo "make lock   - re-resolve and re-pin requirements/*.txt (hashed)"
	@echo "make schemas - regenerate docs/events (JSON Schemas + AsyncAPI) from the event catalog"
	@echo "make translations - extract, update and compile the gettext catalogs (ar, fr)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The environment: the hashed lock first, then our own packages (editable, no deps:
# everything they need is in the lock).
$(VENV)/.installed: $(BIN)/python requirements/dev.txt $(addsuffix /pyproject.toml,$(PKGS))
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation $(addprefix -e ,$(PKGS))
	touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/python -m pesnet.devtools.run

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy shared/src devtools/src services/registration/src services/agenda/src services/actionplan/src services/notifications/src services/identity/src tests scripts benchmarks

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python scripts/check_languages.py
	$(BIN)/pytest

# Kills services, the database and (briefly) the shared RabbitMQ: never part of `make test`.
test-faults: venv
	mkdir -p .run
	$(BIN)/pytest tests/faults -m faults -s --basetemp=.run/faults

# Three RabbitMQ nodes on this machine (scripts/rabbitmq_cluster.sh: ports 5690-5692,
# 15690-15692, 25690-25692), one stopped mid-burst, then the queues' leader; torn down after.
test-cluster: venv
	mkdir -p .run
	$(BIN)/pytest tests/cluster -m cluster -s --basetemp=.run/cluster-tests

unit: venv
	$(BIN)/pytest tests -m "not integration"

# The whole path against the machine's own limit (bench/results.json and a table; the
# README's Performance section). Asserts nothing; `BENCH_ARGS=--profile DIR` adds profiles.
bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

schemas: venv
	$(BIN)/python scripts/generate_schemas.py

# The interface's own words: extract `_()`/`N_()` texts (and `NC_()` terms, with their
# context) into each package's
# locale/messages.pot, merge them into its ar and fr .po files (translators edit
# those), and compile them as a check. `scripts/check_languages.py` fails on any
# text without a finished (non-empty, non-fuzzy) translation.
LOCALE_PKGS := $(patsubst %/locale,%,$(wildcard shared/src/pesnet/shared/locale services/*/src/pesnet/*/locale))
translations: venv
	@for pkg in $(LOCALE_PKGS); do \
	  $(BIN)/pybabel extract --no-location --omit-header --sort-output -k N_ -k _ -k NC_:1c,2 \
	    --add-comments=Translators: -F babel.cfg \
	    -o $$pkg/locale/messages.pot $$pkg >/dev/null && \
	  for lang in ar fr; do \
	    if [ -f $$pkg/locale/$$lang/LC_MESSAGES/messages.po ]; then \
	      $(BIN)/pybabel update --ignore-obsolete --ignore-pot-creation-date -D messages -l $$lang \
	        -i $$pkg/locale/messages.pot -d $$pkg/locale; \
	    else \
	      $(BIN)/pybabel init -D messages -l $$lang -i $$pkg/locale/messages.pot -d $$pkg/locale; \
	    fi; \
	  done && \
	  $(BIN)/pybabel compile --statistics -D messages -d $$pkg/locale || exit 1; \
	done

# Re-pin: uv resolves the workspace into uv.lock (kept out of git: it embeds index
# URLs), then exports hashed requirements files that install from whatever index
# the machine is configured with.
lock: venv
	$(BIN)/uv lock --upgrade
	for svc in registration agenda actionplan notifications identity; do \
	  $(BIN)/uv export --package pesnet-$$svc --no-emit-workspace --no-dev --format requirements-txt \
	    -o services/$$svc/requirements.txt -q; done
	$(BIN)/uv export --all-packages --no-emit-workspace --group dev --format requirements-txt -o requirements/dev.txt -q

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
