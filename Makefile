# Two entry points: `make run` and `make test`. Each builds the environment when it is missing or
# older than the lock file, so either works alone on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INPUT  ?= samples
OUTPUT ?= output
ARGS   ?=
CRON   ?= 0 * * * *
PORT   ?= 4200
RUNNER ?= processes
BENCH_SIZES ?= 20000

# Prefect keeps its state inside the work tree and never phones home.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
# The ephemeral server's 20 s default start-up limit is too tight on a busy 2-core machine.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: run test env clean server serve bench

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gazetl run --input "$(INPUT)" --output "$(OUTPUT)" --runner "$(RUNNER)" $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

# `make bench BENCH_SIZES="5000 50000" RUNNER=processes`: corpora and outputs under .bench/
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes "$(BENCH_SIZES)" --runner "$(RUNNER)"

# Scheduled runs (README, "Scheduled runs"): `make server` in one terminal, `make serve` in another.
server: $(STAMP)
	$(BIN)/prefect server start --host 127.0.0.1 --port $(PORT)

serve: $(STAMP)
	PREFECT_API_URL=$${PREFECT_API_URL:-http://127.0.0.1:$(PORT)/api} \
	$(BIN)/gazetl serve --input "$(INPUT)" --output "$(OUTPUT)" --cron "$(CRON)" $(ARGS)

clean:
	rm -rf $(VENV) .prefect output/claims output/articles output/events output/event_mentions output/quarantine output/runs output/validation \
	       output/_snapshots output/_manifest.json output/current output/ledger output/.lock \
	       output/warehouse.duckdb output/reports output/reference_check .bench
