# The two commands of the README: `make run` (the chat at http://127.0.0.1:7860) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install run browser test eval bench bench-quick bench-evidence clean-index messages screenshots

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first, from the CPU build on local disk, so nothing pulls the multi-GB CUDA build
	$(PIP) install -q torch==2.13.0
	# llm: llama-cpp-python builds from source once (~10 min on 2 cores); pip caches the wheel for later installs
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q -c constraints.txt -e '.[dev,llm]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/agenda serve

# Debian's chromium for the browser tests, and axe-core (the version package-lock.json pins) for the accessibility ones
browser: node_modules/axe-core/axe.min.js
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(STAMP) browser
	$(VENV)/bin/ruff check assistant tests bench
	$(VENV)/bin/mypy assistant
	$(VENV)/bin/deptry assistant
	$(PY) -m pytest -q $(PYTEST_ARGS)

eval: $(STAMP)
	$(VENV)/bin/agenda eval --dataset evals/questions.jsonl --baseline evals/baseline.json --out eval-out
	$(VENV)/bin/agenda eval --dataset evals/holdout.jsonl --out eval-out/holdout

bench: $(STAMP)
	# the README's Performance table: 100k chunks take ~20-40 min to embed the first time (cached in bench/cache)
	$(PY) -m bench --scale 1000,10000,100000 --llm-sample 24

bench-quick: $(STAMP)
	$(PY) -m bench --quick

bench-evidence: $(STAMP)
	# a few minutes: time to the first verified quote per answerer beside the reference's first token (6 questions)
	$(PY) -m bench --sections evidence_first --out bench/out/evidence-first

clean-index:
	rm -rf index/chroma index/lexical

# The message templates: answers.pot from assistant/answer/framing.py (N_, NP_), page.pot from the tr()/trn()/N_()
# calls in assistant/web (keywords as in assistant/web/texts.py). Then update a language's catalog with
# `$(VENV)/bin/pybabel update -D page -i assistant/locales/page.pot -d assistant/locales -l xx`.
PAGE_KEYWORDS := -k tr:2 -k trn:2,3 -k tr_html:2 -k trn_html:2,3 -k N_
messages: $(STAMP)
	$(VENV)/bin/pybabel extract --no-default-keywords -k N_ -k NP_:1,2 --add-comments=Translators: --no-location \
	  --project="Agenda Assistant" -o assistant/locales/answers.pot assistant/answer/framing.py
	$(VENV)/bin/pybabel extract -F babel.cfg --no-default-keywords $(PAGE_KEYWORDS) --add-comments=TRANSLATORS: \
		--sort-by-file --no-wrap --omit-header --project="Agenda Assistant" -o assistant/locales/page.pot .

# docs/page-de.png, page-pl.png, page-el.png: the page in German, Polish and Greek with a question answered (README)
screenshots: $(STAMP) browser
	$(PY) -m bench.screenshots
