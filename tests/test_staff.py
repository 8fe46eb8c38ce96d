"""The staff view: its address, the eval reports as their pages, a rating turned into an eval case, evals rerun in the
background. In-process where that shows it; in Debian's headless Chromium for what only a browser shows."""

from __future__ import annotations

import html
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT
from assistant.evals.background import EvalRunner, config_env
from assistant.feedback import FeedbackStore
from assistant.server import create_app
from assistant.web.app import TITLE
from assistant.web.staff import (
    STAFF_TITLE,
    append_case,
    columns,
    draft_text,
    latest_report,
    localized,
    report_frame,
    run_status_html,
)
from assistant.web.texts import tr
from tests.conftest import STAFF_LOGIN, serve_in_thread

CHROMIUM = os.environ.get("AGENDA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CASE = {
    "id": "agencies",
    "question": "Which agencies does the statement mention?",
    "answerable": True,
    "facts": [["IOM"]],
    "quotes": ["agencies like the IOM and UNHCR"],
}


@pytest.fixture(scope="module")
def staff_config(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The session's index with the staff view on, and its own feedback, question sets, drafts and reports."""
    folder = tmp_path_factory.mktemp("staff")
    (folder / "evals").mkdir()
    (folder / "evals" / "questions.jsonl").write_text(json.dumps(CASE) + "\n")
    (folder / "evals" / "holdout.jsonl").write_text(json.dumps(CASE | {"id": "held", "facts": [["UNHCR"]]}) + "\n")
    return config.model_copy(
        update={
            "staff_user": STAFF_LOGIN[0],
            "staff_password": STAFF_LOGIN[1],
            "feedback_db": folder / "feedback.sqlite3",
            "eval_dataset": folder / "evals" / "questions.jsonl",
            "eval_drafts": folder / "evals" / "drafts.jsonl",
            "eval_baseline": folder / "evals" / "baseline.json",
            "eval_report_dir": folder / "eval-out",
        }
    )


def test_staff_without_the_slash_leads_to_the_staff_view(staff_config: Config, bot: Assistant) -> None:
    client = TestClient(create_app(staff_config, bot))
    moved = client.get("/staff", follow_redirects=False)
    assert moved.status_code in (301, 302, 307, 308) and moved.headers["location"].endswith("/staff/")
    assert client.get("/staff").status_code == 200  # the login page, as /staff/ shows it


def test_the_report_tab_shows_the_html_report_in_a_sandboxed_frame(tmp_path: Path) -> None:
    page = "<!doctype html><h1>Eval report</h1><p>&lt;script&gt; \" '</p><script>alert(1)</script>"
    (tmp_path / "holdout").mkdir()
    (tmp_path / "holdout" / "report.html").write_text(page)
    time.sleep(0.01)
    (tmp_path / "report.md").write_text("# Eval report\n")  # newer, but Markdown is not what staff read
    chosen = latest_report(tmp_path)
    assert chosen == tmp_path / "holdout" / "report.html"
    frame = report_frame(chosen)
    assert frame.startswith('<iframe title="Eval report" sandbox="" srcdoc="') and frame.endswith('"></iframe>')
    assert "<script>" not in frame and "&lt;script&gt;alert(1)&lt;/script&gt;" in frame  # inert in the attribute
    assert "&amp;lt;script&amp;gt;" in frame and "&quot;" in frame  # the page's own text survives exactly


def test_appending_a_case_says_what_is_left_to_do(staff_config: Config, tmp_path: Path) -> None:
    staff_config = staff_config.model_copy(update={"eval_drafts": tmp_path / "drafts.jsonl"})
    draft = CASE | {"id": "fb-1", "facts": [], "tags": ["draft", "feedback"]}
    said = html.unescape(append_case(staff_config, json.dumps(draft)))
    assert f"Appended fb-1 to {staff_config.eval_drafts}." in said and "facts:" in said and "tags:" in said
    assert json.loads(staff_config.eval_drafts.read_text().splitlines()[-1])["id"] == "fb-1"
    refused = html.unescape(append_case(staff_config, json.dumps(CASE | {"id": "fb-2", "quotes": ["not words of it"]})))
    assert refused.startswith("<p>Not appended:</p>") and "quotes[0]: not found in the corpus" in refused
    assert "<script>" not in append_case(staff_config, json.dumps(CASE | {"id": "<script>"}))


def shown_texts(update: object) -> list[str]:
    """The words a component update puts on the page (what Gradio sends: its constructor's arguments)."""
    given = update.constructor_args  # type: ignore[attr-defined]
    texts = [given[key] for key in ("label", "value", "placeholder") if isinstance(given.get(key), str)]
    return texts + [label for label, _ in given.get("choices") or []]


def test_the_staff_view_is_in_the_page_language(staff_config: Config) -> None:
    english, german = localized("en"), localized("de")
    assert german.keys() == english.keys()
    for name in english:  # every label, button, heading and choice: in German, none left in English
        said, asked = shown_texts(german[name]), shown_texts(english[name])
        assert len(said) == len(asked) >= 1 and not set(said) & set(asked), (name, said)
    header = german["intro"].value
    assert 'data-lang="de"' in header and '<label for="page-language">Sprache</label>' in header  # the public menu
    assert "<h1>Agenda-Assistent: Mitarbeiteransicht</h1>" in header
    assert german["feedback_tab"].label == "Rückmeldungen" and german["rating"].label == "Bewertung"
    assert german["rating"].choices == [("Alle", "all"), ("👍 Positiv", "up"), ("👎 Negativ", "down")]
    assert ("Falsch", "wrong") in german["reason"].choices  # the reasons as the public page words them
    assert columns("de")[:3] == ["ID", "Zeit (UTC)", "Bewertung"] and len(columns("de")) == len(columns())
    assert tr("de", STAFF_TITLE, product=tr("de", TITLE)) == "Agenda-Assistent: Mitarbeiteransicht"
    # the status lines, too
    assert run_status_html(EvalRunner(staff_config).status(), "de") == (
        "<p>Von dieser Seite wurde noch kein Lauf gestartet.</p>"
    )
    store = FeedbackStore(staff_config.feedback_db)
    assert draft_text(store, "no id", "de")[1].startswith("<p>Wählen Sie eine Bewertung")
    assert draft_text(store, "fb-999999", "de") == ("", "<p>Keine Bewertung mit der ID 999999.</p>")
    assert append_case(staff_config, " ", "de") == "<p>Nichts anzuhängen: Entwerfen Sie zuerst einen Fall.</p>"


def test_a_child_run_gets_exactly_these_settings(staff_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in config_env(staff_config).items():
        monkeypatch.setenv(name, value)
    assert Config() == staff_config.model_copy(update={"staff_user": None, "staff_password": None})


def test_an_unusable_run_reports_its_error(staff_config: Config, tmp_path: Path) -> None:
    broken = staff_config.model_copy(update={"eval_dataset": tmp_path / "bad.jsonl", "eval_report_dir": tmp_path})
    broken.eval_dataset.write_text('{"id": "x", "answerable": "no"}\n')
    runner = EvalRunner(broken)
    assert runner.status().state == "idle" and runner.datasets() == [broken.eval_dataset]
    assert runner.start(broken.eval_dataset)
    assert not runner.start(broken.eval_dataset), "one run at a time"
    status = runner.wait(timeout=120)  # the dataset is checked before any model loads: quick
    assert (status.state, status.exit_code) == ("error", 2)
    assert "bad.jsonl:1: answerable: Input should be a valid boolean" in status.log_tail


def test_a_report_frame_is_named_in_the_page_language(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("<h1>Eval report</h1>")
    assert report_frame(tmp_path / "report.html", "de").startswith('<iframe title="Evaluierungsbericht" sandbox=""')


# --- in the browser ---
# The right edge of the feedback table's box, and of its widest table (header row included).
TABLE_EDGES = """() => ({
  container: document.querySelector('#feedback-table').getBoundingClientRect().right,
  table: Math.max(...[...document.querySelectorAll('#feedback-table table')].map(t => t.getBoundingClientRect().right)),
})"""


@pytest.fixture(scope="module")
def staff_server(staff_config: Config, bot: Assistant) -> Iterator[str]:
    yield from serve_in_thread(staff_config, bot)


@pytest.mark.browser
@pytest.mark.slow
def test_staff_turn_feedback_into_a_case_read_the_report_and_rerun_the_evals(
    staff_server: str, staff_config: Config, bot: Assistant
) -> None:
    if not Path(CHROMIUM).exists():  # `make test` installs it; a missing browser is a failure, never a skip
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or run `make test`)", pytrace=False)
    from playwright.sync_api import Dialog, expect, sync_playwright

    marker = f"staff-test-{uuid.uuid4().hex[:8]}"
    answer = bot.ask("Where was the summit held?")
    store = FeedbackStore(staff_config.feedback_db)
    comment = f"{marker} <img src=x onerror=alert(9)> " + "long " * 80 + "unbroken" * 40
    rated = store.add("down", answer, [], "wrong", comment)
    staff_config.eval_report_dir.mkdir(parents=True, exist_ok=True)
    old_report = staff_config.eval_report_dir / "report.html"
    old_report.write_text(f"<!doctype html><h1>Eval report {marker}</h1><p>&lt;img src=x onerror=alert(8)&gt;</p>")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_context(viewport={"width": 1200, "height": 820}).new_page()
        page.set_default_timeout(30_000)
        dialogs: list[str] = []

        def dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.goto(f"{staff_server}/staff")  # as the README writes it
        page.fill("input[type=text]", STAFF_LOGIN[0])
        page.fill("input[type=password]", STAFF_LOGIN[1])
        page.keyboard.press("Enter")
        table = page.locator("#feedback-table")
        expect(table).to_contain_text(marker)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200
        edges = page.evaluate(TABLE_EDGES)
        assert edges["table"] <= edges["container"] + 1 <= 1200 + 1, f"every column shows, none runs off: {edges}"

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-view.png"), full_page=True)
        table.get_by_text(marker).filter(visible=True).first.click()  # a row becomes a draft case
        expect(page.locator("#draft-json")).to_contain_text(f'"id": "fb-{rated}"')
        page.locator("#append-draft").click()
        expect(page.locator("#draft-status")).to_contain_text(f"Appended fb-{rated}")
        appended = json.loads(staff_config.eval_drafts.read_text().splitlines()[-1])
        assert appended["id"] == f"fb-{rated}" and marker in appended["note"]

        page.get_by_role("tab", name="Eval reports").click()
        report = page.frame_locator("#eval-report iframe")
        expect(report.locator("h1")).to_have_text(f"Eval report {marker}")  # the page, not its Markdown or source
        page.locator("#run-evals").click()
        status = page.locator("#eval-run-status")
        expect(status).to_contain_text("running")
        expect(status).to_contain_text("passed", timeout=900_000)  # a real `agenda eval`: models load, then 1 case
        expect(report.locator("h1")).to_contain_text("questions.jsonl")  # the new report replaces the old one
        assert page.locator("img[src=x]").count() == 0 and dialogs == []
        page.screenshot(path=str(ARTIFACTS / "staff-reports.png"), full_page=True)
        chromium.close()


@pytest.mark.browser
def test_the_staff_view_speaks_the_browsers_language_and_its_menu_switches_it(staff_server: str) -> None:
    if not Path(CHROMIUM).exists():  # `make test` installs it; a missing browser is a failure, never a skip
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or run `make test`)", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    def staff_title(lang: str) -> str:
        return tr(lang, STAFF_TITLE, product=tr(lang, TITLE))

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_context(viewport={"width": 1200, "height": 820}, locale="de-DE").new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{staff_server}/staff")
        page.fill("input[type=text]", STAFF_LOGIN[0])
        page.fill("input[type=password]", STAFF_LOGIN[1])
        page.keyboard.press("Enter")
        page.wait_for_function("document.documentElement.lang === 'de'")  # the browser's Accept-Language
        expect(page.locator("#intro h1")).to_have_text("Agenda-Assistent: Mitarbeiteransicht")
        assert page.title() == "Agenda-Assistent: Mitarbeiteransicht"
        expect(page.get_by_role("tab", name="Rückmeldungen")).to_be_visible()
        expect(page.get_by_role("tab", name="Evaluierungsberichte")).to_be_visible()
        expect(page.get_by_role("radio", name="👎 Negativ")).to_be_visible()
        expect(page.get_by_role("button", name="Fall entwerfen")).to_be_visible()
        expect(page.locator("#feedback-table")).to_contain_text("Zeit (UTC)")
        expect(page.locator(".summary")).to_contain_text("Angezeigte Bewertungen:")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-view-de.png"), full_page=True)

        page.select_option("#page-language", "el")  # the public page's language menu
        page.locator("#intro button.lang-apply").click()
        page.wait_for_function("document.documentElement.lang === 'el'")
        assert page.url.endswith("?lang=el")
        expect(page.locator("#intro h1")).to_have_text(staff_title("el"))
        expect(page.get_by_role("tab", name=tr("el", "Feedback"))).to_be_visible()
        expect(page.get_by_role("button", name=tr("el", "Draft the case"))).to_be_visible()
        page.reload()
        page.wait_for_function("document.documentElement.lang === 'el'")  # ?lang= wins over the browser's German
        expect(page.get_by_role("tab", name=tr("el", "Eval reports"))).to_be_visible()
        chromium.close()
