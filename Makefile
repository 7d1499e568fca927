# The README's two commands are `make demo` and `make test`; both set up everything they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= How did other cities get police and IT to agree on how long camera footage is kept?

.PHONY: install demo test test-calendar lint bench clean

$(BIN)/advisor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first, so nothing ever pulls the multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	# Export the bundled model to ONNX once (.advisor/models), so no command imports torch.
	$(BIN)/python -m bot.model_export
	# Bytecode for the project's own modules, as pip writes it for installed packages: a
	# cold `advisor ask` does not compile ~80 modules (where PYTHONDONTWRITEBYTECODE is set).
	$(BIN)/python -m compileall -q bot retrieval storage checkins
	touch $(BIN)/advisor

install: $(BIN)/advisor

demo: install
	$(BIN)/advisor ask "$(QUESTION)"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The suite again with the wall clock moved (tests/moved_clock.py), under far-off TZ values:
# a Saturday (the eve of a US DST change) and a Sunday late evening UTC (Monday in Kiritimati).
# Tests that start a separate process keep the real clock and are left out of these passes,
# and so are the `model` tests (retrieval quality with the real embedding model: they read
# no clock, and leaving them out keeps CI well under 30 minutes).
test-calendar: install
	TZ=Pacific/Pago_Pago $(BIN)/python -m pytest -q -m "not model" --wall-clock=2027-03-13T21:00:00+00:00
	TZ=Pacific/Kiritimati $(BIN)/python -m pytest -q -m "not model" --wall-clock=2026-11-29T23:30:00+00:00

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .advisor .pytest_cache .ruff_cache
