"""Screenshots of the page in German, Polish and Greek (a question and its answer), for the README: docs/page-xx.png.

    python -m bench.screenshots            # or `make screenshots`

Serves the app on a free loopback port (the corpus indexed into a temp folder), opens it in Chromium with the
browser's language set, asks the second example question of that language and saves the page.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT
from assistant.web.chat import examples
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, ask, open_page
from tests.conftest import serve_in_thread

LOCALES = {"de": "de-DE", "pl": "pl-PL", "el": "el-GR"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs")
    parser.add_argument("--languages", default=",".join(LOCALES), help="comma-separated, of: " + ", ".join(LOCALES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        config = Config(index_dir=Path(scratch) / "index", feedback_db=Path(scratch) / "f.sqlite3", show_progress=False)
        server = serve_in_thread(config, Assistant(config))
        url = next(server)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                for lang in args.languages.split(","):
                    with open_page(browser, url, 1366, 900, locale=LOCALES[lang]) as page:
                        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
                        ask(page, examples(lang)[1])
                        page.locator("#chat button.sources-toggle").last.click()
                        path = args.out / f"page-{lang}.png"
                        page.screenshot(path=str(path), full_page=True)
                        print(path)
                browser.close()
        finally:
            next(server, None)


if __name__ == "__main__":
    main()
