"""Interactive tables for the HTML report: one self-contained page per table (sort by any
column, search/filter, page through), built with itables and working offline.

The DataTables bundle is inlined into the page (no CDN, no network request), the table id is
fixed (the page is byte-identical across reruns), and a table longer than ``max_rows`` shows
its first ``max_rows`` rows with a note naming the full file.
"""

from __future__ import annotations

import html
import re

import pandas as pd

TABLE_ID = "newslens_table"


def _bundle() -> str:
    """The DataTables bundle of itables, as inline <script>/<style> (base64 inside)."""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    text = generate_init_offline_itables_html(options.dt_bundle)
    # drop the notebook-only <noscript> notice (it links to itables.org)
    return re.sub(r"<div[^>]*>\s*<noscript>.*?</noscript>\s*</div>", "", text, flags=re.S)


def interactive_table(
    df: pd.DataFrame, title: str, source: str, max_rows: int = 5000, digits: int = 4
) -> str:
    """A full HTML page holding ``df`` as a sortable, searchable DataTable.

    ``source`` names the full table (e.g. ``results/tables/documents.csv``); it is shown above
    the table, with a note when only the first ``max_rows`` rows are included.
    """
    from itables import to_html_datatable

    n = len(df)
    shown = df.head(max_rows) if max_rows and n > max_rows else df
    shown = shown.round(digits) if len(shown.columns) else shown
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
    )
    head = (
        f"<h2>{html.escape(title)}</h2>\n"
        f"<p>{note} of <code>{html.escape(source)}</code>. Click a column header to sort, "
        "type in Search to filter (all columns).</p>\n"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;font-size:13px;margin:1em}"
        "h2{font-size:16px;margin:0 0 .3em}</style>\n"
        f"{_bundle()}\n</head>\n<body>\n{head}{body}\n</body>\n</html>\n"
    )
