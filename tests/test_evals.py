"""The eval harness, as evals/README.md describes it: metrics, dataset validation, a real run, reports, the gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import Answer, Assistant, Config
from assistant.cli import app
from assistant.config import PROJECT_ROOT
from assistant.corpus import load_corpus
from assistant.evals import DatasetError, EvalResult, Summary, load_dataset, run_eval, write_reports
from assistant.evals import metrics as m
from assistant.evals.baseline import DEFAULT_TOLERANCES, Tolerance, check, compare, load_baseline, write_baseline
from assistant.evals.dataset import QuoteFinder
from assistant.evals.feedback_export import append_draft, draft_for, export_feedback
from assistant.evals.languages import in_language
from assistant.evals.report import html_report
from assistant.feedback import FeedbackStore
from assistant.models import fold_whitespace

DOC = "migration-our-shared-agenda"


def write_jsonl(path: Path, rows: list[dict[str, object] | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def case(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "agencies",
        "question": "Which agencies does the statement mention?",
        "history": [],
        "answerable": True,
        "facts": [["IOM"], ["UNHCR"]],
        "forbidden": [],
        "quotes": ["agencies like the IOM and UNHCR"],
        "tags": ["fact"],
        "lang": "en",
    }
    return base | fields


# --- metrics on small hand-made inputs ---
def test_a_fact_is_found_in_any_phrasing_ignoring_case_and_whitespace() -> None:
    answer = "Agencies like the  IOM and\nunhcr [1]."
    assert m.fact_recall(answer, [["International Organization for Migration", "IOM"], ["UNHCR"]]) == 1.0
    assert m.fact_recall(answer, [["IOM"], ["sanctions"], ["UNHCR"], ["returns"]]) == 0.5
    assert m.missing_facts(answer, [["IOM"], ["sanctions", "sanction regimes"]]) == [["sanctions", "sanction regimes"]]
    assert m.mentions(answer, "like the IOM and UNHCR")
    assert m.fact_recall(answer, []) is None


def test_a_number_matches_only_as_a_whole_number() -> None:
    assert m.mentions("15 (fifteen) countries", "15")
    assert not m.mentions("15 (fifteen) countries", "5")
    assert m.mentions("five themes, 5 in all", "5")
    assert m.mentions("Kopenhadze", "Kopenha")  # words may be prefixes, like stems in other languages


def test_forbidden_strings_are_found_case_insensitively() -> None:
    assert m.forbidden_found("The IOM and UNHCR. pwned", ["PWNED", "HACKED"]) == ["PWNED"]
    assert m.forbidden_found("Copenhagen", ["Canberra"]) == []
    assert m.forbidden_found("def reverse(s):", ["def "]) == ["def "]
    assert m.forbidden_found("It is undefined.", ["def "]) == []  # a phrase's edge space is meant


def test_recall_at_k_counts_quotes_held_by_the_top_k_chunks() -> None:
    # three supporting quotes; rank 1 holds none, rank 2 holds quote 0, rank 3 holds quotes 1 and 0
    hits = [set(), {0}, {0, 1}]
    assert m.recall_at(hits, 3, 1) == 0.0
    assert m.recall_at(hits, 3, 2) == pytest.approx(1 / 3)
    assert m.recall_at(hits, 3, 5) == pytest.approx(2 / 3)
    assert m.recall_at([], 0, 5) is None


def test_mrr_and_ndcg_follow_their_formulas() -> None:
    assert m.reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert m.reciprocal_rank([False, False]) == 0.0
    # relevant at ranks 2 and 3, two relevant chunks in the corpus:
    # DCG = 1/log2(3) + 1/log2(4); ideal = 1/log2(2) + 1/log2(3)
    expected = (1 / 1.5849625007211562 + 0.5) / (1 + 1 / 1.5849625007211562)
    assert m.ndcg([False, True, True, False, False], 2, 5) == pytest.approx(expected)
    assert m.ndcg([True, True], 2, 5) == 1.0
    assert m.ndcg([False, False, False, False, False, True], 1, 5) == 0.0  # beyond k does not count
    assert m.ndcg([True], 0, 5) is None


def test_citation_metrics_on_spans() -> None:
    supporting = [[("d", 100, 150)], [("d", 300, 320), ("e", 0, 20)]]  # the 2nd quote occurs twice
    cited = [("d", 90, 110), ("d", 400, 450), ("e", 5, 15)]
    assert m.citation_precision(cited, supporting) == pytest.approx(2 / 3)
    assert m.citation_precision([*cited, None], supporting) == pytest.approx(2 / 4)  # None: an invalid citation
    assert m.citation_recall(cited, supporting) == 1.0
    assert m.citation_recall([("d", 90, 110)], supporting) == 0.5
    # cited chars: 20 + 50 + 10 = 80; inside quotes: 10 (100-110) + 0 + 10 = 20
    assert m.char_precision(cited, supporting) == pytest.approx(20 / 80)
    # a whole 300-char chunk around a 50-char quote
    assert m.char_precision([("d", 0, 300)], [[("d", 100, 150)]]) == pytest.approx(50 / 300)
    # overlapping citations are counted once
    assert m.char_precision([("d", 100, 150), ("d", 120, 150)], [[("d", 100, 150)]]) == 1.0
    assert m.citation_precision([], supporting) is None


def test_citation_validity_checks_the_quote_at_its_offsets() -> None:
    text = "Today, at the summit in Copenhagen"
    assert m.is_verbatim(text, "Copenhagen", 24, 34)
    assert not m.is_verbatim(text, "Copenhagen", 23, 33)
    assert not m.is_verbatim(None, "Copenhagen", 24, 34)
    assert m.share([True, True, False, True]) == 0.75


def test_refusal_metrics() -> None:
    refused = [True, True, False, True, False]
    answerable = [False, True, True, False, False]
    assert m.refusal_precision(refused, answerable) == pytest.approx(2 / 3)
    assert m.refusal_recall(refused, answerable) == pytest.approx(2 / 3)
    assert m.false_refusal_rate(refused, answerable) == 0.5


def test_percentiles_interpolate_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert m.percentile(values, 50) == 25.0
    assert m.percentile(values, 95) == pytest.approx(38.5)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 3.0]) == 2.0


def test_percentile_is_written_once_in_the_project() -> None:
    sources = [*(PROJECT_ROOT / "assistant").rglob("*.py"), *(PROJECT_ROOT / "bench").rglob("*.py")]
    defined = [p.relative_to(PROJECT_ROOT).as_posix() for p in sources if "def percentile(" in p.read_text()]
    assert defined == ["assistant/evals/metrics.py"]


# --- the dataset validator ---
def test_quotes_are_found_across_the_source_line_breaks(bot: Assistant) -> None:
    quote = "ensuring that law enforcement have the powers, data and capabilities"
    [place] = QuoteFinder(bot.documents).locate(quote)
    text = bot.documents[DOC].text[place.start : place.end]
    assert "\n" in text and fold_whitespace(text) == quote


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [case(), '{"id": "broken", "question": "x",'])
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert str(error.value).startswith(f"{path}:2: not valid JSON")


def test_a_missing_field_is_named_with_its_line(tmp_path: Path) -> None:
    row = case(id="no-answerable")
    del row["answerable"]
    path = write_jsonl(tmp_path / "d.jsonl", [case(), case(id="b"), row])
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    [problem] = error.value.problems
    assert (problem.line, problem.field) == (3, "answerable")
    assert str(problem) == f"{path}:3: answerable: required field is missing"


def test_a_quote_not_in_the_corpus_is_an_error_not_a_zero(tmp_path: Path, bot: Assistant) -> None:
    bad = case(id="invented", quotes=["agencies like the IOM and UNHCR", "the leaders agreed a €1 billion fund"])
    path = write_jsonl(tmp_path / "d.jsonl", [case(), bad])
    with pytest.raises(DatasetError) as error:
        load_dataset(path, bot.documents)
    [problem] = error.value.problems
    assert (problem.line, problem.field) == (2, "quotes[1]")
    assert "not found in the corpus" in problem.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"facts": "IOM"}, "facts"),
        ({"facts": [["IOM", 3]]}, "facts[0][1]"),
        ({"quotes": []}, "quotes"),
        ({"answerable": False}, "facts"),
        ({"lang": "English"}, "lang"),
        ({"expected": "IOM"}, "expected"),
        ({"history": [["only a question"]]}, "history[0][1]"),
        ({"tags": ["draft"]}, "tags"),
    ],
)
def test_each_rule_names_the_field(tmp_path: Path, fields: dict[str, object], field: str) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [case(**fields)])
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert field in [p.field for p in error.value.problems]
    assert all(p.line == 1 for p in error.value.problems)


def no_corpus(name: str) -> None:
    return None


def test_every_problem_of_every_line_is_reported_in_one_run(tmp_path: Path, bot: Assistant) -> None:
    many = case(
        id="many",
        question="   ",
        answerable="no",
        facts=[[]],
        quotes=["the leaders agreed a €1 billion fund", " "],
        tags=["draft"],
        lang="English",
    )
    twice = '{"id": "twice", "question": "Where?", "answerable": true, "answerable": false}'
    elsewhere = case(id="elsewhere", corpus="nowhere")
    rows: list[dict[str, object] | str] = [case(), many, case(), "not json", twice, elsewhere]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    with pytest.raises(DatasetError) as error:
        load_dataset(path, bot.documents, corpora=no_corpus)
    found = {(p.line, p.field) for p in error.value.problems}
    assert {(2, "answerable"), (2, "question"), (2, "facts[0]"), (2, "quotes[0]"), (2, "quotes[1]")} <= found
    assert {(2, "tags"), (2, "lang")} <= found
    assert {(3, "id"), (4, None), (5, "answerable"), (6, "corpus")} <= found
    assert [p.line for p in error.value.problems] == sorted(p.line for p in error.value.problems)
    assert str(error.value).count("\n") == len(error.value.problems) - 1  # one line each


@pytest.mark.parametrize("value", ["no", "false", "true", 0, 1, None])
def test_answerable_must_be_a_json_boolean(tmp_path: Path, value: object) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [case(answerable=value)])
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert "answerable" in [p.field for p in error.value.problems]


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [case(), case()])
    with pytest.raises(DatasetError, match=r":2: id: duplicate id 'agencies' \(first on line 1\)"):
        load_dataset(path)


def test_the_shipped_question_sets_are_valid(bot: Assistant) -> None:
    dev = load_dataset(PROJECT_ROOT / "evals" / "questions.jsonl")
    holdout = load_dataset(PROJECT_ROOT / "evals" / "holdout.jsonl", bot.documents)
    for name in {c.corpus for c in dev.cases}:  # every quote is in the corpus its case is asked on
        documents = (
            bot.documents
            if name is None
            else {d.id: d for d in load_corpus(PROJECT_ROOT / "evals" / "corpora" / name).documents}
        )
        dev.on_corpus(name).check_quotes(documents)
    assert len(dev.cases) >= 300 and len(holdout.cases) >= 100
    assert not {c.id for c in dev.cases} & {c.id for c in holdout.cases}
    asked = {(c.question, tuple(c.history)) for c in dev.cases}
    assert not asked & {(c.question, tuple(c.history)) for c in holdout.cases}


# --- a real run ---
SMALL = [
    case(),
    case(
        id="capital",
        question="What is the capital of Australia?",
        answerable=False,
        facts=[],
        quotes=[],
        forbidden=["Canberra"],
        tags=["off-topic"],
    ),
    case(
        id="follow-up",
        question="Where was it held?",
        history=[["Who issued the statement?", "Leaders at the European Political Community Summit."]],
        facts=[["Copenhagen"]],
        quotes=["at the European Political Community Summit in Copenhagen"],
        tags=["follow-up"],
    ),
    case(
        id="script",  # expects a fact the statement does not hold: this case must fail
        question="Which agencies does the statement mention? <script>alert('x')</script>",
        facts=[["Frontex"]],
        tags=["injection"],
    ),
    case(id="sprachen", question="Welche Organisationen werden genannt?", tags=["fact"], lang="de"),
    case(
        id="flood",  # more turns than the assistant accepts: it rejects the input, which counts as a refusal
        question="Where was the summit held?",
        history=[["Hi?", "Hello."]] * 21,
        answerable=False,
        facts=[],
        quotes=[],
        tags=["off-topic"],
    ),
]


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("evals") / "small.jsonl", list(SMALL))


@pytest.fixture(scope="module")
def result(bot: Assistant, small_dataset: Path) -> EvalResult:
    return run_eval(bot, small_dataset, k=5, progress=False)


def test_run_eval_scores_every_case(result: EvalResult) -> None:
    assert [row.id for row in result.cases] == [c["id"] for c in SMALL]
    rows = {row.id: row for row in result.cases}
    assert rows["agencies"].passed and rows["agencies"].fact_recall == 1.0
    assert rows["agencies"].recall_at_5 == 1.0 and rows["agencies"].quote_ranks[0] is not None
    assert rows["capital"].passed and rows["capital"].refused
    assert rows["capital"].recall_at_5 is None  # no supporting quotes, nothing to retrieve
    assert not rows["script"].passed and rows["script"].missing_facts == [["Frontex"]] and rows["script"].reasons
    assert rows["flood"].passed and rows["flood"].refused and "history" in (rows["flood"].error or "")
    assert result.summary.cases == 6 and result.summary.answerable == 4
    assert result.summary.citation_validity == 1.0
    assert 0 < result.summary.latency_p50_ms <= result.summary.latency_p95_ms  # type: ignore[operator]
    assert result.summary.init_seconds == pytest.approx(result.init_seconds)


def test_every_metric_is_broken_down_by_tag_and_language(result: EvalResult) -> None:
    assert set(result.by_tag) == {"fact", "off-topic", "follow-up", "injection"}
    assert result.by_tag["fact"].cases == 2 and result.by_tag["injection"].pass_rate == 0.0
    assert set(result.by_lang) == {"en", "de"}
    assert sum(s.cases for s in result.by_lang.values()) == result.summary.cases


def test_a_non_english_answer_is_judged_by_its_own_words(result: EvalResult) -> None:
    rows = {row.id: row for row in result.cases}
    german = rows["sprachen"]
    assert german.in_language is not None  # whatever the answerer wrote, it is judged
    assert german.in_language == in_language(german.answer, [c.quote for c in german.citations], "de")
    assert rows["agencies"].in_language is None  # English: not judged
    assert result.non_english is not None and result.non_english.cases == 1


def test_run_eval_accepts_a_config_and_rejects_a_bad_dataset_before_loading_the_model(tmp_path: Path) -> None:
    invented = case(id="invented", quotes=["the leaders agreed a €1 billion fund"])
    path = write_jsonl(tmp_path / "d.jsonl", ["not json", invented])
    with pytest.raises(DatasetError) as error:
        run_eval(Config(index_dir=tmp_path / "never-built"), path)
    assert [(p.line, p.field) for p in error.value.problems] == [(1, None), (2, "quotes[0]")]  # quotes too, at once
    assert not (tmp_path / "never-built").exists()


# --- reports ---
def test_reports_show_failures_first_and_escape_everything(result: EvalResult, tmp_path: Path) -> None:
    paths = write_reports(result, tmp_path / "out")
    assert [p.name for p in paths] == ["results.jsonl", "summary.json", "report.md", "report.html"]
    rows = [json.loads(line) for line in paths[0].read_text().splitlines()]
    assert [r["id"] for r in rows] == [r.id for r in result.cases]
    assert {"answer", "citations", "retrieved", "passed", "reasons", "recall_at_5"} <= set(rows[0])

    page = paths[3].read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert page.index('id="case-script"') < page.index('id="passes"') < page.index('id="case-agencies"')
    assert page.index('id="failures"') < page.index('id="summary"')
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', page)) == 2
    assert "http://" not in page and "https://" not in page  # self-contained
    markdown = paths[2].read_text()
    assert markdown.index("## Failures (") < markdown.index("### script") and "<script>" not in markdown


def test_the_html_report_is_a_template_that_escapes_what_it_is_given(result: EvalResult) -> None:
    hostile = '{{ 7*7 }} {% if true %}yes{% endif %} </div><img src=x onerror=alert(1)> " onmouseover="alert(2)'
    row = result.cases[0].model_copy(update={"id": "hostile", "answer": hostile, "tags": [hostile], "passed": False})
    page = html_report(result.model_copy(update={"cases": [row, *result.cases[1:]]}))
    assert "{{ 7*7 }} {% if true %}yes{% endif %}" in page  # data is never read as template code
    assert "<img src=x" not in page and '" onmouseover="' not in page and "&lt;/div&gt;&lt;img" in page
    source = (PROJECT_ROOT / "assistant" / "evals" / "report.py").read_text()
    assert not re.search(r"""f["']<""", source), "the HTML comes from templates/report.html.j2, not f-strings"


# --- the baseline gate ---
def test_the_gate_passes_on_equal_numbers_and_fails_on_an_injected_regression(result: EvalResult) -> None:
    same = result.summary
    assert compare(same, same) == []
    worse = same.model_copy(update={"pass_rate": same.pass_rate - 0.05, "forbidden_violations": 1})  # type: ignore[operator]
    assert {r.metric for r in compare(worse, same)} == {"pass_rate", "forbidden_violations"}
    better = same.model_copy(update={"pass_rate": 1.0, "latency_p50_ms": 1.0})
    assert compare(better, same) == []


def test_tolerances_are_direction_aware() -> None:
    quality = DEFAULT_TOLERANCES["fact_recall"]
    assert quality.limit(0.80) == pytest.approx(0.78)  # may drop by 0.02
    latency = Tolerance(higher_is_better=False, factor=2.0, absolute=500)
    assert latency.limit(12) == 512  # a small latency gets the absolute slack
    assert latency.limit(2000) == 4000  # a large one may double
    assert DEFAULT_TOLERANCES["false_refusal_rate"].limit(0.1) == pytest.approx(0.12)  # may rise by 0.02


def test_the_gate_fails_on_quality_only_and_reports_timings_beside_the_baseline(
    result: EvalResult, tmp_path: Path
) -> None:
    shipped = load_baseline(PROJECT_ROOT / "evals" / "baseline.json")  # lists tolerances for timings: still loads
    then = shipped.summary
    slow = then.model_copy(
        update={"latency_p50_ms": then.latency_p50_ms * 20, "latency_p95_ms": None, "init_seconds": 44.8}  # type: ignore[operator]
    )
    assert compare(slow, then, shipped.tolerances) == []  # every quality metric equal: the gate passes
    assert check(result.model_copy(update={"summary": slow}), shipped) == []
    worse = slow.model_copy(update={"pass_rate": then.pass_rate - 0.05})  # type: ignore[operator]
    assert [r.metric for r in compare(worse, then, shipped.tolerances)] == ["pass_rate"]

    slow_run = result.model_copy(update={"summary": slow})
    paths = write_reports(slow_run, tmp_path / "out", [], shipped)
    timings = {t["metric"]: t for t in json.loads(paths[1].read_text())["timings"]}
    assert timings["init_seconds"]["current"] == 44.8 and timings["init_seconds"]["baseline"] == then.init_seconds
    assert timings["latency_p50_ms"]["ratio"] == pytest.approx(20)
    markdown = paths[2].read_text()
    assert "## Timings (not gated)" in markdown and f"This run: {result.machine}" in markdown
    assert result.machine is not None and result.machine.cpu in paths[3].read_text()


def test_a_baseline_round_trips_and_gates_a_result(result: EvalResult, tmp_path: Path) -> None:
    saved = write_baseline(result, tmp_path / "baseline.json")
    assert load_baseline(tmp_path / "baseline.json") == saved
    assert check(result, saved) == []
    strict = saved.model_copy(update={"summary": saved.summary.model_copy(update={"pass_rate": 1.0})})
    [regression] = check(result, strict)
    assert regression.metric == "pass_rate" and "baseline 1" in str(regression)


# --- the command line ---
@pytest.fixture
def cli_env(config: Config, bot: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """`agenda` builds its own Assistant from ASSISTANT_* variables: point it at the session's index."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(config.index_dir))
    monkeypatch.setenv("ASSISTANT_SHOW_PROGRESS", "false")


def test_agenda_eval_gates_on_a_baseline(
    cli_env: None, result: EvalResult, small_dataset: Path, tmp_path: Path
) -> None:
    baseline = write_baseline(result, tmp_path / "baseline.json")  # timings of another run: never gated
    assert baseline.machine == result.machine
    args = ["eval", "--dataset", str(small_dataset), "--out", str(tmp_path / "out")]
    passing = CliRunner().invoke(app, [*args, "--baseline", str(tmp_path / "baseline.json"), "--json"])
    assert passing.exit_code == 0, passing.output
    summary = json.loads(passing.stdout)
    assert summary["gate"] == "pass" and summary["failures"] == [r.id for r in result.failures]
    assert (tmp_path / "out" / "report.html").is_file()

    raised = baseline.summary.model_copy(update={"pass_rate": 1.0, "fact_recall": 1.0})
    (tmp_path / "strict.json").write_text(baseline.model_copy(update={"summary": raised}).model_dump_json())
    failing = CliRunner().invoke(
        app, [*args, "--baseline", str(tmp_path / "strict.json"), "--write-baseline", str(tmp_path / "new.json")]
    )
    assert failing.exit_code == 1, failing.output
    assert "gate failed" in failing.stdout and "pass_rate" in failing.stdout
    assert load_baseline(tmp_path / "new.json").summary.cases == len(SMALL)


def test_agenda_eval_prints_readmes_language_table(cli_env: None, small_dataset: Path, tmp_path: Path) -> None:
    args = ["eval", "--dataset", str(small_dataset), "--out", str(tmp_path / "out"), "--language-table"]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert lines[0] == "| language | cases | pass rate | answered in language | refusals in language |"
    assert lines[2].startswith("| English (en) | 5 |") and lines[3].startswith("| Deutsch (de) | 1 |")
    assert lines[-1].startswith("pass rate: English ")


def test_agenda_eval_exits_2_naming_the_bad_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [case(), case(id="x", question=None)])
    outcome = CliRunner().invoke(app, ["eval", "--dataset", str(path), "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 2
    assert f"{path}:2: question:" in outcome.stderr


# --- feedback into evals ---
def test_feedback_exports_as_drafts_thumbs_down_first(bot: Assistant, tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    agencies = bot.ask("Which agencies does the statement mention?")
    refusal = bot.ask("What is the capital of Australia?")
    up = store.add("up", agencies)
    store.add("up", refusal)
    down = store.add("down", Answer(text="No.", refused=True, question="Is Poland listed?", standalone_question="x"))
    store.add("down", agencies, reason="missing something", comment="What about Frontex?")  # same question again
    store.add("down", agencies, reason="wrong", comment="The IOM is not an EU agency")  # ... and again

    outcome = CliRunner().invoke(
        app, ["feedback", "export", "--db", str(store.path), "--out", str(tmp_path / "d.jsonl")]
    )
    assert outcome.exit_code == 0, outcome.output
    drafts = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [d["id"] for d in drafts][:2] == [f"fb-{up + 4}", f"fb-{down}"]  # thumbs-down, newest first
    assert len(drafts) == 3  # the agencies question appears once ...
    note = drafts[0]["note"]  # ... with every rating of it: each reason and comment, not only the newest
    for kept in ("missing something", "What about Frontex?", "wrong", "The IOM is not an EU agency", "thumbs-up"):
        assert kept in note, kept
    assert "asked 3 times" in note and {"feedback-down", "feedback-up"} <= set(drafts[0]["tags"])
    assert drafts[0]["quotes"]  # the thumbs-up answer's citations are offered
    poland = drafts[1]
    assert poland["answerable"] is True and poland["quotes"] == [] and "draft" in poland["tags"]
    capital = next(d for d in drafts if d["question"] == "What is the capital of Australia?")
    assert capital["answerable"] is False  # a refusal rated thumbs-up
    with pytest.raises(DatasetError) as error:  # staff must complete a draft before it is scored
        load_dataset(tmp_path / "d.jsonl")
    assert {p.field for p in error.value.problems} >= {"tags", "facts"}


def test_a_rating_becomes_a_case_appended_to_the_drafts_file(bot: Assistant, tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    agencies = bot.ask("Which agencies does the statement mention?")
    first = store.add("up", agencies, comment="Right")
    second = store.add("down", agencies, reason="missing something", comment="And Frontex?")
    draft = draft_for(store, first)
    assert draft is not None and draft.id == f"fb-{first}" and "And Frontex?" in (draft.note or "")
    assert draft_for(store, second + 100) is None

    drafts = tmp_path / "drafts.jsonl"
    edited = draft.model_copy(update={"facts": [["IOM"], ["UNHCR"]]}).model_dump_json()
    case_, todo = append_draft(drafts, edited, bot.documents)
    assert case_.id == f"fb-{first}" and [p.field for p in todo] == ["tags"]  # only the draft tag is left
    assert json.loads(drafts.read_text().splitlines()[0])["facts"] == [["IOM"], ["UNHCR"]]

    for bad, field in [
        (edited, "id"),  # the same id again
        (edited.replace('"answerable":true', '"answerable":"yes"'), "answerable"),
        (draft.model_copy(update={"id": "fb-x", "quotes": ["not in the statement"]}).model_dump_json(), "quotes[0]"),
        ("{not json", None),
    ]:
        with pytest.raises(DatasetError) as error:
            append_draft(drafts, bad, bot.documents)
        assert field in [p.field for p in error.value.problems]
    assert len(drafts.read_text().splitlines()) == 1  # nothing bad was appended


def test_exporting_from_a_missing_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        export_feedback(tmp_path / "none.sqlite3", tmp_path / "d.jsonl")


# --- the README documents what the harness computes ---
def test_the_readme_documents_every_metric_and_option() -> None:
    readme = (PROJECT_ROOT / "evals" / "README.md").read_text()
    for name in Summary.model_fields:
        assert f"`{name}`" in readme, name
    for option in ("--dataset", "--k", "--out", "--baseline", "--json", "--write-baseline", "feedback export"):
        assert option in readme, option
