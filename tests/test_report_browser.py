"""The HTML report, opened in a real headless browser (Debian's Chromium, started by the test).

`snakemake --report` is built on the session's seed run; Chromium is driven through the DevTools
protocol on a pipe (``--remote-debugging-pipe``: JSON messages on file descriptors 3 and 4), so
the test needs no WebDriver and no extra Python package. It clicks through the report like a
reader: the category in the menu, the eye button of every item, then its info button; and checks
that every figure the workflow declares with ``report(...)`` is in the report under its declared
category, is shown as a loaded, non-blank image, and that its caption is shown. Skips only when no
Chromium binary is found (``NEWSLENS_CHROMIUM`` names one explicitly). Set
``NEWSLENS_REPORT_SCREENSHOTS`` to a folder to keep a screenshot of every figure page.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, run_snakemake

pytestmark = pytest.mark.browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
    "--remote-debugging-pipe",
]
MINIMUM = {  # report items every run has, whatever stages are merged
    "results/figures/top_terms.png": "Corpus",
    "results/tables/documents.csv": "Corpus",
    "results/tables/cleaning_audit.csv": "Corpus",
}
MIN_FIGURE_PX = 200
# The report's React app has started (before that, `app` is the <div id="app"> element).
APP_READY = (
    "typeof app !== 'undefined' && app !== null && typeof app.setView === 'function' && "
    "document.querySelector('#loading-screen').style.display === 'none'"
)  # a figure narrower or lower than this (natural size) is not a real figure


def find_chromium() -> str | None:
    explicit = os.environ.get("NEWSLENS_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """Headless Chromium with one page, driven over the DevTools protocol on a pipe."""

    def __init__(self, binary: str, url: str, profile: Path, timeout: float = 30.0):
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_pipes():  # in the child: commands on fd 3, replies on fd 4
            cmd_fd, reply_fd = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(cmd_fd, 3)
            os.dup2(reply_fd, 4)

        self.log = profile / "chromium.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile / 'profile'}", url],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=False,  # fds 3 and 4 must survive; Python's own fds are close-on-exec
                preexec_fn=wire_pipes,
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self.session = None
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        attached = self.send(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, session=False
        )
        self.session = attached["sessionId"]

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        try:
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise self._exited(method) from None
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                ready, _, _ = select.select([self._from_child], [], [], max(left, 0))
                if not ready:
                    raise TimeoutError(f"Chromium did not answer {method} in {self.timeout} s")
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise self._exited(method)
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self.on_event(reply)

    def on_event(self, event: dict) -> None:
        """A DevTools event (console, exception, network request): ignored here; a subclass
        that needs them keeps them."""

    def _exited(self, method: str) -> RuntimeError:
        self.proc.wait(timeout=10)
        log = self.log.read_text(errors="replace")[-2000:]
        return RuntimeError(
            f"Chromium exited (code {self.proc.returncode}) during {method}; its log ends:\n{log}"
        )

    def js(self, expression: str):
        """Evaluate a JavaScript expression in the page (promises awaited); return its value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise AssertionError(f"JavaScript error: {text}\nin: {expression[:300]}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"the report never showed {what} (within {timeout} s)")
            time.sleep(0.05)

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to_child)
            os.close(self._from_child)


# Functions the checks call in the page. They only click what a reader clicks (menu entries,
# the eye and info buttons of the result rows) and read the DOM; `app`, `results` and
# `categories` are the report's own globals.
PAGE_HELPERS = r"""
window.nl = {
  visibleText: () => document.body.innerText,
  menuLinks: () => Array.from(document.querySelectorAll('nav a, a')).filter(a => a.querySelector('span')),
  clickMenu(label) {
    const link = nl.menuLinks().find(a => a.querySelector('span').textContent.trim() === label);
    if (!link) return false;
    link.click();
    return true;
  },
  rows: () => Array.from(document.querySelectorAll('tbody tr')).filter(
    tr => tr.querySelectorAll('td:last-child a').length >= 2),
  // the caption's text as the reader sees it, whitespace collapsed
  captionText(path) {
    const div = document.createElement('div');
    div.innerHTML = results[path].caption || '';
    return div.textContent.replace(/\s+/g, ' ').trim();
  },
  shownImage(path) {
    const img = Array.from(document.images).find(i => i.getAttribute('src') === results[path].data_uri);
    if (!img || !img.complete) return null;
    if (img.naturalWidth === 0) return {broken: true, naturalWidth: 0, naturalHeight: 0};
    const box = img.getBoundingClientRect();
    // share of pixels that are not near-white, on a 200 px wide copy
    const w = 200, h = Math.max(1, Math.round(200 * img.naturalHeight / img.naturalWidth));
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 700) ink++;
    return {naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
            shownWidth: box.width, shownHeight: box.height, ink: ink / (w * h)};
  },
};
true
"""


def declared_report_items() -> dict[str, str]:
    """{path: category} of every ``report(...)`` in the workflow's rule files, with the path
    constants of common.smk (RESULTS, TABLES, FIGURES, ...) filled in."""
    common = (REPO / "workflow" / "rules" / "common.smk").read_text()
    constants: dict[str, str] = {}
    for name, value in re.findall(
        r'^([A-Z_]+) = f?"([^"{}]*(?:\{[A-Z_]+\}[^"{}]*)*)"$', common, re.M
    ):
        constants[name] = value.format(**constants)
    declared = {}
    sources = [REPO / "workflow" / "Snakefile", *sorted((REPO / "workflow").rglob("*.smk"))]
    for source in sources:
        text = source.read_text()
        for match in re.finditer(r'report\(\s*f?"([^"]+)"', text):
            path = match.group(1).format(**constants)
            call = text[match.end() : match.end() + 600].split("report(")[0]
            category = re.search(r'category\s*=\s*"([^"]+)"', call)
            declared[path] = category.group(1) if category else "Other"
    return declared


@pytest.fixture(scope="module")
def browser(request, tmp_path_factory):
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "no Chromium binary (apt-get install chromium, or set NEWSLENS_CHROMIUM); "
            "the report was not checked in a browser"
        )
    seed_run = request.getfixturevalue("seed_run")  # only now: skipping costs no pipeline run
    run_snakemake(seed_run, "--report", "results/report.html")
    report = seed_run / "results" / "report.html"
    assert report.stat().st_size > 100_000
    started = time.monotonic()
    chromium = Chromium(binary, report.as_uri(), tmp_path_factory.mktemp("chromium"))
    try:
        chromium.wait_for(APP_READY, "its app (the React page never started)")
        chromium.js(PAGE_HELPERS)
        chromium.started = time.monotonic() - started
        chromium.seed_run = seed_run
        yield chromium
    finally:
        chromium.close()


def visit_category(browser: Chromium, category: str, subcategory: str) -> int:
    """Open a category (and subcategory) from the menu, as a reader does; return the rows."""
    browser.js("app.setView({navbarMode: 'menu'}), true")  # the breadcrumb's home button
    n_categories = browser.js("Object.keys(categories).length")
    label = category if n_categories > 1 else "Results"  # a single category shows as "Results"
    browser.wait_for(f"nl.clickMenu({json.dumps(label)})", f"the menu entry {label!r}")
    if browser.js(f"Object.keys(categories[{json.dumps(category)}]).length") > 1:
        browser.wait_for(
            f"nl.clickMenu({json.dumps(subcategory)})", f"the subcategory {subcategory!r}"
        )
    return browser.wait_for("nl.rows().length", f"the result rows of {category}/{subcategory}")


def check_item(browser: Chromium, category: str, subcategory: str, row: int, shots) -> dict:
    """Click the eye button of one row, then its info button; return what was shown."""
    eye = f"nl.rows()[{row}].querySelectorAll('td:last-child a')"
    href = browser.js(f"{eye}[0].getAttribute('href')")
    if href == "#":  # a figure (or html/pdf): the eye shows it in the content pane
        browser.js("app.setView({resultPath: '-'}), true")
        browser.js(f"{eye}[0].click(), true")
        path = browser.wait_for(
            "app.state.resultPath !== '-' && app.state.resultPath", "the clicked figure"
        )
    else:  # a table or other file: the eye is a download link holding the file
        name = browser.js(f"{eye}[0].getAttribute('download')")
        path = browser.js(
            f"Object.keys(results).find(p => results[p].name === {json.dumps(name)} && "
            f"categories[{json.dumps(category)}][{json.dumps(subcategory)}].includes(p))"
        )
    shown = {"path": path, "href": href}
    if results_mime(path).startswith("image/"):
        shown["image"] = browser.wait_for(
            f"nl.shownImage({json.dumps(path)})", f"the image of {path} loaded", timeout=10
        )
        if shots is not None:
            browser.screenshot(shots / (Path(path).stem + ".png"))
    elif href != "#":  # an HTML page (an interactive table) is shown in place, not fetched
        shown["content"] = browser.js(f"fetch({json.dumps(href)}).then(r => r.text())")
    browser.js(f"{eye}[1].click(), true")  # the info button: caption in the side bar
    shown["caption"] = browser.js(f"nl.captionText({json.dumps(path)})")
    browser.wait_for("app.state.navbarMode === 'resultinfo'", f"the info page of {path}")
    shown["visible_text"] = browser.js("nl.visibleText()")
    return shown


def results_mime(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}.get(
        suffix, "text/plain"
    )


@pytest.fixture(scope="module")
def report_view(browser):
    """Everything the reader sees: the report's categories and, for every row of every
    category, the shown figure or file and the caption."""
    categories = browser.js("categories")
    shots = os.environ.get("NEWSLENS_REPORT_SCREENSHOTS")
    shots = Path(shots) if shots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    items = {}
    for category, subcategories in categories.items():
        for subcategory in subcategories:
            n_rows = visit_category(browser, category, subcategory)
            for row in range(n_rows):
                shown = check_item(browser, category, subcategory, row, shots)
                shown["category"] = category
                items[shown["path"]] = shown
                visit_category(browser, category, subcategory)
    print(
        f"\nreport in Chromium: started in {browser.started:.1f} s, "
        f"{len(items)} items checked in {time.monotonic() - started:.1f} s"
    )
    return {"categories": categories, "items": items, "seed_run": browser.seed_run}


def test_report_holds_every_declared_item_in_its_category(report_view):
    seed_run = report_view["seed_run"]
    declared = declared_report_items()
    for path, category in MINIMUM.items():
        assert declared.get(path) == category, f"the workflow no longer declares {path}"
    in_report = {
        path: category
        for category, subs in report_view["categories"].items()
        for paths in subs.values()
        for path in paths
    }
    produced = {}
    for path, cat in declared.items():
        if "{" in path:  # a wildcard output (e.g. compare_{kind}.csv): the files it made
            pattern = re.sub(r"\{[^}]+\}", "*", path)
            produced.update({str(p.relative_to(seed_run)): cat for p in seed_run.glob(pattern)})
        elif (seed_run / path).exists():
            produced[path] = cat
    assert set(MINIMUM) <= set(produced)
    assert in_report == produced, "report items differ from what the rules declare"
    assert set(report_view["categories"]) == set(produced.values())
    assert "Corpus" in report_view["categories"]
    # every figure of the run is a report item (a figure made but not declared is missing)
    figures = {f"results/figures/{p.name}" for p in (seed_run / "results/figures").glob("*.png")}
    assert figures, "the run made no figures"
    assert figures <= set(in_report), (
        f"figures not in the report: {sorted(figures - set(in_report))}"
    )
    # and every item is reachable by clicking through the menu
    assert set(report_view["items"]) == set(in_report)


def test_every_figure_is_rendered(report_view):
    figures = {p: s for p, s in report_view["items"].items() if p.endswith(".png")}
    assert "results/figures/top_terms.png" in figures
    for path, shown in figures.items():
        image = shown["image"]
        assert not image.get("broken"), f"{path} is a broken image in the report"
        assert image["naturalWidth"] >= MIN_FIGURE_PX and image["naturalHeight"] >= MIN_FIGURE_PX, (
            path,
            image,
        )
        assert image["shownWidth"] >= MIN_FIGURE_PX and image["shownHeight"] >= 100, (path, image)
        assert image["ink"] > 0.01, f"{path} is shown blank: {image}"


def test_every_item_shows_its_caption(report_view):
    for path, shown in report_view["items"].items():
        caption = shown["caption"]
        assert len(caption) >= 40, f"{path} has no real caption: {caption!r}"
        assert "{{" not in caption and "{%" not in caption, f"{path}: caption not rendered"
        visible = re.sub(r"\s+", " ", shown["visible_text"])
        assert caption[:80] in visible, f"the caption of {path} is not shown"


def test_tables_are_embedded_with_their_rows(report_view):
    seed_run = report_view["seed_run"]
    items = report_view["items"]
    for path in ("results/tables/documents.csv", "results/tables/cleaning_audit.csv"):
        shown = items[path]
        assert shown["href"].startswith("data:"), path
        assert shown["content"] == (seed_run / path).read_text(), f"{path} differs in the report"
    assert items["results/tables/documents.csv"]["content"].splitlines()[0].startswith("doc_id,")
