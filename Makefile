# The two commands of the README: `make run` (the chat at http://127.0.0.1:7860) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install run test lint eval bench clean-index

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first, from the CPU build on local disk, so nothing pulls the multi-GB CUDA build
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/agenda serve

browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	$(VENV)/bin/ruff check assistant tests
	$(PY) -m pytest -q $(PYTEST_ARGS)

eval: $(STAMP)
	$(VENV)/bin/agenda eval --dataset evals/questions.jsonl --baseline evals/baseline.json --out eval-out

bench: $(STAMP)
	$(PY) -m bench

clean-index:
	rm -rf index/chroma index/lexical
