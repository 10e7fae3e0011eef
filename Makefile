# millpond: `make up` runs the server, `make test` runs the whole suite, `make lint` checks style and types.
PYTHON ?= python3
VENV := .venv
VENV_CLI := .venv-cli
VENV_LEGACY := .venv-legacy
VENV_AWSLOCAL := .venv-awslocal
JS_DIR := tests/js
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAMP_CLI := $(VENV_CLI)/.installed
STAMP_LEGACY := $(VENV_LEGACY)/.installed
STAMP_AWSLOCAL := $(VENV_AWSLOCAL)/.installed
STAMP_JS := $(JS_DIR)/node_modules/.installed
CHROMIUM := /usr/bin/chromium
# Fonts for the console's screenshots: colour emoji (the lab's log lines) and CJK text, as Debian packages them.
FONTS := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

.PHONY: up test lint format bench bench-storage clean demo demo-down proof proof-long
DEMO_ENDPOINT ?= http://localhost:4566

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

$(STAMP_CLI): requirements-cli.txt
	test -x $(VENV_CLI)/bin/python || $(PYTHON) -m venv $(VENV_CLI)
	$(VENV_CLI)/bin/python -m pip install --quiet -r requirements-cli.txt
	touch $(STAMP_CLI)

$(STAMP_LEGACY): requirements-legacy.txt
	test -x $(VENV_LEGACY)/bin/python || $(PYTHON) -m venv $(VENV_LEGACY)
	$(VENV_LEGACY)/bin/python -m pip install --quiet -r requirements-legacy.txt
	touch $(STAMP_LEGACY)

$(STAMP_AWSLOCAL): requirements-awslocal.txt
	test -x $(VENV_AWSLOCAL)/bin/python || $(PYTHON) -m venv $(VENV_AWSLOCAL)
	$(VENV_AWSLOCAL)/bin/python -m pip install --quiet -r requirements-awslocal.txt
	touch $(STAMP_AWSLOCAL)

# The AWS SDK for JavaScript v3, for tests that drive it from node scripts.
$(STAMP_JS): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP_JS)

# Debian's Chromium for the console's Playwright tests (Playwright's own browser download is never used).
$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "installing chromium needs root: sudo apt-get install -y chromium"; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

$(FONTS):
	@test "$$(id -u)" = 0 || { echo "installing fonts needs root: sudo apt-get install -y fonts-noto-color-emoji fonts-wqy-microhei"; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-color-emoji fonts-wqy-microhei

# `millpond aws ...` runs the AWS CLI against the server: prepared here (once, into the cache folder) so
# that it is ready in another terminal; a machine that cannot install it still gets the server.
up: $(STAMP)
	-@$(BIN)/millpond aws --version
	$(BIN)/millpond up

test: $(STAMP) $(STAMP_CLI) $(STAMP_LEGACY) $(STAMP_AWSLOCAL) $(STAMP_JS) $(CHROMIUM) $(FONTS)
	@# Each Python the machine has for a Lambda runtime gets its packages once, before tests time cold starts.
	-@$(BIN)/millpond runtimes --prepare
	MILLPOND_AWS_CLI=$(abspath $(VENV_CLI))/bin/aws MILLPOND_LEGACY_PYTHON=$(abspath $(VENV_LEGACY))/bin/python \
		MILLPOND_AWSLOCAL=$(abspath $(VENV_AWSLOCAL))/bin/awslocal \
		$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench examples
	$(BIN)/ruff format src tests bench examples

bench: $(STAMP)
	$(BIN)/python bench/stack.py

bench-storage: $(STAMP)
	$(BIN)/python bench/storage.py

# The example application (examples/order-pipeline) on the millpond `make up` runs.
demo: $(STAMP)
	$(BIN)/python examples/order-pipeline/deploy.py deploy --endpoint-url $(DEMO_ENDPOINT)
	$(BIN)/python examples/order-pipeline/deploy.py traffic --endpoint-url $(DEMO_ENDPOINT)

demo-down: $(STAMP)
	$(BIN)/python examples/order-pipeline/deploy.py teardown --endpoint-url $(DEMO_ENDPOINT)

# Proof under faults and load: the short forms (also run by `make test`), and the long ones by hand.
proof: $(STAMP)
	$(BIN)/python -m tests.proof

proof-long: $(STAMP)
	$(BIN)/python -m tests.proof.crash_loop --kills 25
	$(BIN)/python -m tests.proof.fuzz --long --cases 118
	$(BIN)/python -m tests.proof.stress --long
	$(BIN)/python -m tests.proof.abuse --long
	$(BIN)/python -m tests.proof.soak --minutes 60

clean:
	rm -rf $(VENV) $(VENV_CLI) $(VENV_LEGACY) $(VENV_AWSLOCAL) $(JS_DIR)/node_modules .millpond .pytest_cache .mypy_cache .ruff_cache
