# The two commands of this repository (see README.md):
#   make book   build the book into book/_build/html (sets up everything it needs first)
#   make test   run every test: lint, types, unit, book build, nbgrader round trips, browser
# Both create .venv from requirements.txt and install the front-end files with npm on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .stamps
# Figures vanish from the built book under a non-inline backend, so never inherit one.
RUN    := env -u MPLBACKEND

.PHONY: book test lint lock system-deps release clean

# requirements.txt is the hashed lock compiled from requirements/*.in (make lock). pip
# refuses an editable install inside a --require-hashes file, so the package follows on
# its own, built with the locked setuptools.
$(STAMPS)/venv: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@mkdir -p $(STAMPS) && touch $@

# After editing requirements/*.in: recompile the lock, keeping today's pins where possible.
lock: $(STAMPS)/venv
	$(BIN)/uv pip compile requirements/*.in --generate-hashes --python $(BIN)/python \
		--custom-compile-command "make lock" --quiet -o requirements.txt

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

book: $(STAMPS)/venv $(STAMPS)/npm
	$(RUN) $(BIN)/jupyter-book build book -W -n --keep-going
	@echo "The book is in book/_build/html; open book/_build/html/index.html in a browser."

system-deps:
	bash scripts/install-system-deps.sh

lint: $(STAMPS)/venv
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

test: system-deps $(STAMPS)/venv $(STAMPS)/npm lint
	$(RUN) $(BIN)/python -m pytest

release: $(STAMPS)/venv
	$(BIN)/mgcourse release

clean:
	rm -rf book/_build test-artifacts grading $(STAMPS)
