"""Interactive tables for the HTML report: one self-contained page per table (sort by any
column, search/filter, page through), built with itables and working offline.

The DataTables bundle is inlined into the page (no CDN, no network request), the table id is
fixed (the page is byte-identical across reruns), and a table longer than ``max_rows`` shows
its first ``max_rows`` rows with a note naming the full file.
"""

from __future__ import annotations

import base64
import gzip
import html
import re

import pandas as pd

TABLE_ID = "newslens_table"


# Inflates a gzip-compressed base64 payload in the browser (DecompressionStream: Chrome 80,
# Firefox 113, Safari 16.4 and later).
INFLATE_JS = """
async function inflateBase64(base64Text) {
    const bytes = Uint8Array.from(atob(base64Text), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return await new Response(stream).text();
}
"""
PAYLOAD_RE = re.compile(r'(injectCSS|injectModule)\("([A-Za-z0-9+/=]+)"\)')


def _bundle() -> str:
    """The DataTables bundle of itables, inline (no network request): itables' own loader, with
    its two base64 payloads (the CSS and the JavaScript module) gzip-compressed, which the
    page inflates before use. A page is about a quarter of the size of one with itables'
    plain base64 bundle (about 0.25 MB instead of 0.97 MB)."""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    text = generate_init_offline_itables_html(options.dt_bundle)
    # drop the notebook-only <noscript> notice (it links to itables.org)
    text = re.sub(r"<div[^>]*>\s*<noscript>.*?</noscript>\s*</div>", "", text, flags=re.S)
    return _compress_payloads(text)


def _compress_payloads(text: str) -> str:
    """itables' loader with gzip-compressed payloads (fixed gzip header: the same bytes on every
    run); unchanged when the loader is not the one this was written for (itables 2.9)."""
    decoders = ("const cssText = atob(base64CSS);", "const jsText = atob(base64JS);")
    if len(PAYLOAD_RE.findall(text)) != 2 or not all(d in text for d in decoders):
        return text

    def pack(match: re.Match) -> str:
        raw = base64.b64decode(match.group(2))
        packed = base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")
        return f'{match.group(1)}("{packed}")'

    text = PAYLOAD_RE.sub(pack, text)
    text = text.replace("function injectCSS(", "async function injectCSS(")
    text = text.replace(decoders[0], "const cssText = await inflateBase64(base64CSS);")
    text = text.replace(decoders[1], "const jsText = await inflateBase64(base64JS);")
    return text.replace("<script>", "<script>" + INFLATE_JS, 1)


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def interactive_table(
    df: pd.DataFrame, title: str, source: str, max_rows: int = 1000, digits: int = 4
) -> str:
    """A full HTML page holding ``df`` as a sortable, searchable DataTable.

    ``source`` names the full table (e.g. ``results/tables/documents.csv``); it is shown above
    the table, with a note when only the first ``max_rows`` rows are included.
    """
    from itables import to_html_datatable

    n = len(df)
    shown = df.head(max_rows) if max_rows and n > max_rows else df
    shown = shown.round(digits) if len(shown.columns) else shown
    # a missing text (or an all-empty column) shows as an empty cell, not as "NaN"
    text = [c for c in shown.columns if _is_text(shown[c]) or shown[c].isna().all()]
    if text:
        shown = shown.assign(**{c: shown[c].astype(object).fillna("") for c in text})
    # columns of texts get a readable width (CSS classes medium and long by median length)
    # instead of a narrow, tall column
    lengths = {
        i: shown[c][shown[c] != ""].astype(str).str.len().median()
        for i, c in enumerate(shown.columns)
        if _is_text(shown[c]) and (shown[c] != "").any()
    }
    widths = {"medium": [i for i, m in lengths.items() if 20 < m <= 60]}
    widths["long"] = [i for i, m in lengths.items() if m > 60]
    defs = [{"targets": t, "className": name} for name, t in widths.items() if t]
    options = {"columnDefs": defs} if defs else {}
    note = f"{n:,} rows" if len(shown) == n else f"the first {len(shown):,} of {n:,} rows"
    body = to_html_datatable(
        shown,
        table_id=TABLE_ID,
        connected=False,
        display_logo_when_loading=False,
        showIndex=False,
        maxBytes=0,
        maxColumns=0,
        lengthMenu=[10, 25, 100, 500],
        pageLength=25,
        # not itables' default layout, which it empties for tables of one page: the search box
        # must stay even for a short table
        layout={
            "topStart": "info",
            "topEnd": "search",
            "bottomStart": "pageLength",
            "bottomEnd": "paging",
        },
        classes="display compact cell-border",
        allow_html=False,
        text_in_header_can_be_selected=False,  # a click anywhere on a header sorts
        **options,
    )
    where = f"<code>{html.escape(source)}</code>"
    if len(shown) < n:  # capped: say where the rest is and which key sets the cap
        note = (
            f"This page holds {note} of {where} (config key report.max_table_rows); the full "
            "table is that file"
        )
    else:
        note = f"{note} of {where}"
    head = (
        f"<h2>{html.escape(title)}</h2>\n"
        f"<p>{note}. Click a column header to sort, type in Search to filter (all columns).</p>\n"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;font-size:13px;margin:1em}"
        "h2{font-size:16px;margin:0 0 .3em}"
        # long texts (ledes, sentences) get a readable width instead of a narrow, tall column
        "table.dataTable tbody td{min-width:4em;max-width:32em;vertical-align:top}"
        "table.dataTable td.medium{min-width:10em;width:10em}"
        "table.dataTable td.long{min-width:22em;width:22em}</style>\n"
        f"{_bundle()}\n</head>\n<body>\n{head}{body}\n</body>\n</html>\n"
    )
