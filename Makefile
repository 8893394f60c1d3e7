# Every target sets itself up: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on embedded defaults: SQLite and files under ./var, no mail server needed.
demo: $(STAMP)
	$(BIN)/publisher ingest examples/xinjimo-2890.md
	$(BIN)/publisher show 2890
	$(BIN)/publisher preview 2890
	$(BIN)/publisher subscribers import examples/subscribers.csv
	$(BIN)/publisher send 2890
	$(BIN)/publisher sends 2890
	@echo
	@echo "Feeds:"
	@for feed in var/site/xinjimo/feeds/*; do echo "  $$feed"; done
	@echo "Issue page: var/site/xinjimo/2890/index.html"
	@echo "Digest:     var/previews/xinjimo-2890.eml (open in a mail client) and .html"
	@echo "Mail sent:  var/outbox/new/ (one .eml per subscriber; set [delivery] url for SMTP)"
	@echo
	@echo "Start the service:  $(BIN)/publisher serve"
	@echo "then open           http://127.0.0.1:8000/xinjimo/2890/   (the issue)"
	@echo "                    http://127.0.0.1:8000/subscribe        (subscribe)"
	@echo "                    http://127.0.0.1:8000/admin            (editors; set [admin] password_hash"
	@echo "                                                            from '$(BIN)/publisher admin-password')"

test: $(STAMP)
	$(BIN)/python -m pytest -n auto -q

# The same suite on PostgreSQL, a fresh database per test on the server at this URL
# (the user must be allowed to create databases).
PUBLISHER_TEST_POSTGRES ?= postgresql+psycopg://postgres@/postgres?host=/var/run/postgresql
test-postgres: $(STAMP)
	PUBLISHER_TEST_POSTGRES='$(PUBLISHER_TEST_POSTGRES)' $(BIN)/python -m pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
