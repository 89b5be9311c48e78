"""The report's interactive tables and first page, in headless Chromium: every key table is a
DataTable that sorts by a clicked header and filters by the search box, with no console error
and no network request (the bundle is inlined); the report's home page shows the summary.
Skips without a Chromium binary, like tests/test_report_browser.py (whose driver it reuses)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import run_snakemake
from test_report_browser import Chromium, find_chromium

pytestmark = pytest.mark.browser

TABLES = ["documents", "frames_documents", "sentiment_actors", "frames_actors", "topic_summary"]
LOCAL = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")


class RecordingChromium(Chromium):
    """Chromium that keeps the DevTools events (console, exceptions, network requests)."""

    def __init__(self, *args, **kwargs):
        self.events: list[dict] = []
        super().__init__(*args, **kwargs)

    def on_event(self, event: dict) -> None:
        self.events.append(event)

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_for(
            f"location.href === {json.dumps(url)} && document.readyState === 'complete'", url
        )

    def problems(self) -> dict[str, list]:
        errors, requests = [], []
        for ev in self.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append([a.get("value") or a.get("description") for a in p["args"]])
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                errors.append(p["entry"]["text"])
            elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith(LOCAL):
                requests.append(p["request"]["url"])
        return {"errors": errors, "requests": requests}


@pytest.fixture(scope="module")
def chromium(request, tmp_path_factory):
    binary = find_chromium()
    if binary is None:
        pytest.skip("no Chromium binary (apt-get install chromium, or set NEWSLENS_CHROMIUM)")
    seed_run = request.getfixturevalue("seed_run")
    run_snakemake(seed_run, "--report", "results/report.html")
    browser = RecordingChromium(binary, "about:blank", tmp_path_factory.mktemp("chromium"))
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable")
    browser.seed_run = seed_run
    yield browser
    browser.close()


ROWS = "Array.from(document.querySelectorAll('table.dataTable tbody tr'))"
CELLS = f"{ROWS}.map(tr => Array.from(tr.cells).map(td => td.textContent))"


def open_table(browser, name: str) -> pd.DataFrame:
    path = browser.seed_run / "results" / "report_tables" / f"{name}.html"
    browser.open(path.as_uri())
    browser.wait_for(f"{ROWS}.length > 0", f"the DataTable of {name}", timeout=20)
    return pd.read_csv(
        browser.seed_run / "results" / "tables" / f"{name}.csv", keep_default_na=False
    )


def headers(browser) -> list[str]:
    return browser.js(
        "Array.from(document.querySelectorAll('table.dataTable thead th'))"
        ".map(th => th.textContent.trim())"
    )


@pytest.mark.parametrize("name", TABLES)
def test_every_key_table_is_interactive_and_offline(chromium, name):
    chromium.events.clear()
    table = open_table(chromium, name)
    assert headers(chromium) == list(table.columns)
    info = chromium.js("document.querySelector('.dt-info').textContent")
    assert f"of {len(table):,} entr" in info, info
    assert chromium.js("!!document.querySelector('.dt-search input')"), "no search box"
    shown = chromium.js(f"{ROWS}.length")
    assert shown == min(len(table), 25)
    assert chromium.problems() == {"errors": [], "requests": []}


def test_table_sorts_by_clicked_header_and_filters_by_search(chromium):
    chromium.events.clear()
    table = open_table(chromium, "frames_actors")
    cols = headers(chromium)
    j = cols.index("n_sentences")
    # show all rows, then sort ascending, then descending by n_sentences
    chromium.js(
        "(() => { const s = document.querySelector('.dt-length select'); "
        "s.value = '500'; s.dispatchEvent(new Event('change')); return true })()"
    )
    chromium.wait_for(f"{ROWS}.length === {len(table)}", "all rows")
    header = f"document.querySelectorAll('table.dataTable thead th')[{j}]"
    chromium.js(f"{header}.click(), true")
    chromium.wait_for(f"{header}.getAttribute('aria-sort') === 'ascending'", "ascending order")
    asc = [int(r[j]) for r in chromium.js(CELLS)]
    assert asc == sorted(table["n_sentences"].tolist())
    chromium.js(f"{header}.click(), true")
    chromium.wait_for(f"{header}.getAttribute('aria-sort') === 'descending'", "descending order")
    desc = [int(r[j]) for r in chromium.js(CELLS)]
    assert desc == sorted(table["n_sentences"].tolist(), reverse=True)
    # the search box keeps the rows that contain the text in any column
    actor = table["actor"].iloc[0]
    chromium.js(
        "(() => { const i = document.querySelector('.dt-search input'); "
        f"i.value = {json.dumps(actor)}; i.dispatchEvent(new Event('input')); return true }})()"
    )
    expected = table[
        table.astype(str)
        .apply(lambda c: c.str.contains(actor, case=False, regex=False))
        .any(axis=1)
    ]
    chromium.wait_for(f"{ROWS}.length === {len(expected)}", f"rows of {actor}")
    a = cols.index("actor")
    assert {r[a] for r in chromium.js(CELLS)} <= set(expected["actor"])
    assert chromium.problems() == {"errors": [], "requests": []}


def test_report_home_page_shows_the_summary(chromium):
    chromium.events.clear()
    report = chromium.seed_run / "results" / "report.html"
    chromium.open(report.as_uri())
    chromium.wait_for(
        "typeof app !== 'undefined' && document.querySelector('#loading-screen')"
        ".style.display === 'none'",
        "the report's app",
        timeout=30,
    )
    summary = (chromium.seed_run / "results" / "summary.md").read_text()
    text = " ".join(chromium.js("document.body.innerText").split())
    assert "newslens summary" in text
    first_bullet = next(line for line in summary.splitlines() if line.startswith("- "))
    plain = first_bullet[2:].replace("**", "").replace("`", "").replace("*", "")
    assert " ".join(plain.split())[:60] in text
    categories = chromium.js("categories")
    assert set(categories["Summary"]) == {"Read first"}
    for category in ("Corpus", "Framing", "Sentiment", "Topics"):
        assert "Interactive tables" in categories[category], category
        assert "Other" not in categories[category], category
    assert chromium.problems()["requests"] == []
