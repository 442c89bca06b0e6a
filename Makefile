# certcenter: two commands do all the set-up.
#   make run   - environment, install, migrate, NQF + demo data, web app and Celery worker
#   make test  - the test suite (SQLite by default; PostgreSQL/Redis when CERTCENTER_TEST_* are set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CATALOGS := $(wildcard certcenter/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install lint format translations extract-messages setup bench clean

run: install $(COMPILED)
	@$(BIN)/certcenter setup --quiet
	@exec $(BIN)/certcenter serve $(SERVE_ARGS)

# The suite runs in TEST_WORKERS processes (pytest-xdist); each has its own database, Redis database and folders
# (tests/conftest.py). --dist loadgroup: a module's tests stay in one process (its module-scoped fixtures are made
# once) and the timing-sensitive ones (marked serial) all run in one process. PYTEST_ARGS="-n 0" runs in one process.
TEST_WORKERS ?= 3
test: install $(COMPILED)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d certcenter/translations -l $(word 3,$(subst /, ,$<)) -i $< -o $@ --statistics

translations: $(COMPILED)

# Refresh the catalogs after changing user-facing strings; then translate the new entries in each .po file.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o certcenter/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i certcenter/translations/messages.pot -d certcenter/translations --no-fuzzy-matching --ignore-obsolete

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install $(COMPILED)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
