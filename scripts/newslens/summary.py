"""The summary a researcher reads first: headline numbers drawn from the result tables.

Every number comes from a table of the run; nothing is typed in. Each section says which table
it comes from, so a reader can check it.
"""

from __future__ import annotations

import html
import re

import pandas as pd

# An actor named in fewer sentences is listed but not ranked as "most negative/positive".
MIN_SENTENCES_TO_RANK = 3


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if pd.isna(value) else f"{value:+.{digits}f}" if digits else f"{value:.0f}"


def ci_name(confidence: float = 0.95) -> str:
    """ "95% CI" for 0.95: the interval's name from ``sentiment.bootstrap.confidence``."""
    return f"{float(confidence) * 100:.4g}% CI"


def _ci(row: pd.Series, col: str, digits: int = 2, confidence: float = 0.95) -> str:
    low, high = row.get(f"{col}_ci_low"), row.get(f"{col}_ci_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f" ({ci_name(confidence)} {low:+.{digits}f} to {high:+.{digits}f})"


def _pct(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{100 * value:.0f}%"


def _span(values: pd.Series) -> str:
    first, last = values.min(), values.max()  # ISO strings sort in time order
    return first if first == last else f"{first} to {last}"


def date_lines(dates: pd.Series, n_docs: int) -> list[str]:
    """The publication span from the dates as written: of the articles dated to the day
    (``YYYY-MM-DD``), and separately of those whose date gives only a month or a year
    (``YYYY-MM``, ``YYYY``), so a partial date is never shown as a day."""
    text = dates.dropna().astype(str)
    text = text[text.str.len() > 0]
    if text.empty:
        return []
    day, partial = text[text.str.len() == 10], text[text.str.len() < 10]
    parts = []
    if len(day):
        parts.append(f"{_span(day)} ({len(day):,} of {n_docs:,} articles dated)")
    if len(partial):
        parts.append(
            f"{_span(partial)} ({len(partial):,} of {n_docs:,} articles dated only to the month or "
            "year)"
        )
    return [f"- Published: {'; '.join(parts)}."]


CHECKS = {
    "other_language": "article(s) do not look English",
    "metadata_variants": "metadata spelling(s) differ only by case from another",
    "implausible_date": "implausible date(s) left empty",
    "unparsed_date": "date value(s) not parsed",
    "long_article": "very long article(s)",
    "detected_encoding": "file(s)/table(s) in a guessed legacy encoding",
    "markup_removed": "article(s) with HTML/Markdown markup removed",
    "control_characters": "article(s) with control characters",
}
"""Audit actions (docs/input.md, "What happens to bad input") worth a look before the numbers
are used, with how the summary names them."""


def check_lines(counts: pd.Series) -> list[str]:
    """One line naming the audit records of ``CHECKS`` that occur, with their counts."""
    found = [f"{int(counts[k])} {what}" for k, what in CHECKS.items() if counts.get(k, 0)]
    if not found:
        return []
    return [f"- To check (action in `tables/cleaning_audit.csv`): {'; '.join(found)}."]


def corpus_section(documents: pd.DataFrame, audit: pd.DataFrame) -> list[str]:
    lines = ["## Corpus", ""]
    n_docs = len(documents)
    lines.append(
        f"- **{n_docs:,} article{'s' if n_docs != 1 else ''}** kept, "
        f"{int(documents['n_paragraphs'].sum()):,} paragraphs, {int(documents['n_sentences'].sum()):,} sentences, "
        f"{int(documents['n_tokens'].sum()):,} tokens ({int(documents['n_terms'].sum()):,} kept as terms)."
    )
    lines.extend(date_lines(documents["date"], n_docs))
    counts = audit["action"].value_counts()
    skipped = int(
        counts.get("skipped_file", 0)
        + counts.get("skipped_row", 0)
        + counts.get("skipped_article", 0)
    )
    lines.append(
        f"- Cleaning: {skipped} file(s)/row(s)/article(s) skipped, {int(counts.get('dropped_duplicate', 0))} "
        f"duplicate(s) dropped, {int(counts.get('removed_line', 0) + counts.get('cut', 0))} boilerplate "
        f"line(s) removed, {int(counts.get('header', 0))} header line(s) turned into title/date/byline "
        "(`tables/cleaning_audit.csv` lists each with its reason)."
    )
    lines.extend(check_lines(counts))
    if n_docs <= 5:
        for row in documents.itertuples():
            byline = f", by {row.author}" if isinstance(row.author, str) and row.author else ""
            lines.append(
                f"- *{row.title}* ({row.date or 'undated'}{byline}): {row.n_paragraphs} paragraphs, "
                f"{row.n_sentences} sentences."
            )
    return lines + [""]


def sentiment_section(
    groups: pd.DataFrame, documents: pd.DataFrame, actors: pd.DataFrame, confidence: float = 0.95
) -> list[str]:
    """Headline sentiment; intervals are named from ``confidence`` (e.g. "90% CI")."""
    lines = ["## Sentiment (VADER compound, -1 to +1)", ""]
    corpus = groups.loc[groups["group_by"] == "corpus"]
    if len(documents) == 1:
        row = documents.iloc[0]
        lines.append(
            f"- The article's mean sentence compound is **{_fmt(row['mean_compound'])}**"
            f"{_ci(row, 'mean_compound', confidence=confidence)} over {int(row['n_sentences']):,} sentences (CI: sentences resampled); "
            f"{_pct(row['share_negative'])} of sentences negative, {_pct(row['share_positive'])} positive."
        )
    elif len(corpus):
        row = corpus.iloc[0]
        lines.append(
            f"- Overall mean sentence compound **{_fmt(row['mean_compound'])}**{_ci(row, 'mean_compound', confidence=confidence)} "
            f"over {int(row['n_articles']):,} articles and {int(row['n_sentences']):,} sentences (CI: articles resampled); "
            f"{_pct(row['share_negative'])} of sentences negative, {_pct(row['share_positive'])} positive."
        )
    mentioned = actors.loc[(actors["scope"] == "all") & (actors["n_sentences"] > 0)].sort_values(
        "mean_compound"
    )
    silent = actors.loc[(actors["scope"] == "all") & (actors["n_sentences"] == 0), "actor"].tolist()
    if len(mentioned):
        lines.append("- Toward each actor (sentences naming it), most negative first:")
        for _, row in mentioned.iterrows():
            n = int(row["n_sentences"])
            lines.append(
                f"  - {row['actor']}: {_fmt(row['mean_compound'])}{_ci(row, 'mean_compound', confidence=confidence)}, "
                f"{n:,} sentence{'s' if n != 1 else ''}"
            )
        ranked = mentioned.loc[mentioned["n_sentences"] >= MIN_SENTENCES_TO_RANK]
        if len(ranked) < 2:
            lines.append(
                f"- Fewer than two actors are named in {MIN_SENTENCES_TO_RANK} or more sentences: "
                "too few to rank them."
            )
            return lines + [
                "",
                "Tables: `tables/sentiment_documents.csv`, `tables/sentiment_actors.csv`, "
                "`tables/sentiment_groups.csv`.",
                "",
            ]
        low, high = ranked.iloc[0], ranked.iloc[-1]
        overlap = (
            not pd.isna(low.get("mean_compound_ci_high"))
            and not pd.isna(high.get("mean_compound_ci_low"))
            and low["mean_compound_ci_high"] >= high["mean_compound_ci_low"]
        )
        lines.append(
            f"- Among actors named in at least {MIN_SENTENCES_TO_RANK} sentences, most negative: "
            f"**{low['actor']}**; most positive: **{high['actor']}**"
            + (
                " — but their confidence intervals overlap, so the difference is not established."
                if overlap
                else "."
            )
        )
    if silent:
        lines.append(f"- Not mentioned: {', '.join(silent)}.")
    return lines + [
        "",
        "Tables: `tables/sentiment_documents.csv`, `tables/sentiment_actors.csv`, "
        "`tables/sentiment_groups.csv`.",
        "",
    ]


def framing_section(
    distribution: pd.DataFrame, frames_actors: pd.DataFrame, top: int = 3
) -> list[str]:
    lines = ["## Framing", ""]
    dist = distribution.sort_values("mean_share", ascending=False)
    framed = dist.loc[dist["frame"] != "none"]
    if len(framed):
        parts = [f"{r['name']} {_pct(r['mean_share'])}" for _, r in framed.head(top).iterrows()]
        none = dist.loc[dist["frame"] == "none", "mean_share"]
        lines.append(
            f"- Dominant frames (mean share of an article's sentences): {', '.join(parts)}"
            + (f"; sentences with no frame: {_pct(none.iloc[0])}." if len(none) else ".")
        )
        primary = framed.sort_values("primary_share", ascending=False).iloc[0]
        lines.append(
            f"- Most frequent primary frame: **{primary['name']}** "
            f"({_pct(primary['primary_share'])} of articles)."
        )
    named = frames_actors.loc[
        (frames_actors["n_sentences"] > 0) & (frames_actors["frame"] != "none")
    ]
    if len(named):
        lines.append(
            "- Actor x frame highlights (sentences naming the actor that carry the frame):"
        )
        for actor, group in named.groupby("actor", sort=False):
            best = group.sort_values(["n_sentences", "frame_name"], ascending=[False, True]).head(2)
            total = int(group["n_actor_sentences"].iloc[0])
            lines.append(
                f"  - {actor} ({total:,} sentence{'s' if total != 1 else ''}): "
                + ", ".join(
                    f"{r['frame_name']} {int(r['n_sentences']):,}" for _, r in best.iterrows()
                )
            )
    return lines + [
        "",
        "Tables: `tables/frames_distribution.csv`, `tables/frames_documents.csv`, "
        "`tables/frames_actors.csv`.",
        "",
    ]


def frames_verdict_section(verdict_md: str) -> list[str]:
    """The frame validation verdict (tables/frames_validation_verdict.md) as a section."""
    return [
        "## Framing: which classifier to trust",
        "",
        *verdict_md.rstrip().splitlines(),
        "",
        "Tables: `tables/frames_validation.csv`, `tables/frames_validation_per_frame.csv`, "
        "`tables/frames_validation_items.csv`.",
        "",
    ]


def topics_section(
    summary: pd.DataFrame, selection: pd.DataFrame, k_rule: str | None = None
) -> list[str]:
    lines = ["## Topics", ""]
    if summary.empty:
        return lines + [
            "- No topic model: the corpus is too small (see `tables/topic_model_selection.csv`).",
            "",
        ]
    unit = summary["unit"].iloc[0] if "unit" in summary.columns else "unit"
    chosen = selection.loc[
        selection.get("selected", pd.Series(False, index=selection.index)).astype(str) == "True"
    ]
    model = chosen["model"].iloc[0] if len(chosen) else selection["model"].iloc[0]
    grid = sorted(selection["K"].unique().tolist())
    lines.append(
        f"- {len(summary)} topics ({model}, modelled by {unit}; K grid tried: {grid}), "
        f"mean NPMI coherence {summary['coherence'].mean():.2f}."
    )
    if k_rule and len(chosen) and "stability" in chosen.columns:
        stability = pd.to_numeric(chosen["stability"], errors="coerce").iloc[0]
        if pd.notna(stability):
            lines.append(
                f"- K = {int(chosen['K'].iloc[0])} chosen by the `{k_rule}` rule "
                f"(`topics.k_rule`); its stability (mean agreement of subsample fits with the "
                f"reference, 0-1) is {stability:.2f}."
            )
    for _, row in summary.sort_values("prevalence", ascending=False).iterrows():
        lines.append(
            f"  - Topic {row['topic']} *{row['label']}*: {_pct(row['prevalence'])} of the corpus, "
            f"NPMI {row['coherence']:.2f}"
        )
    return lines + [
        "",
        "Tables: `tables/topic_summary.csv`, `tables/topic_model_selection.csv`.",
        "",
    ]


COMPARE_TABLES = {
    "frames": "tables/compare_frames.csv",
    "actors": "tables/compare_actors.csv",
    "topics": "tables/compare_topics.csv",
}
"""The compare stage's by-group tables the comparisons section reads (docs/compare.md)."""


def _pp(value: float) -> str:
    return f"{100 * value:+.1f}"


def _thin(row: pd.Series, min_cell_n: int) -> bool:
    return min(int(row["n_group"]), int(row["n_reference"])) < min_cell_n


def _capped(lines: list[str], hidden: int, table: str, what: str) -> list[str]:
    if hidden > 0:
        lines.append(f"    - {hidden} more {what} in `{table}`.")
    return lines


def keyness_lines(tab: pd.DataFrame, group: str, reference: str, max_rows: int) -> list[str]:
    """The comparison's distinguishing terms each way: q < 0.05, strongest log-odds z first
    (as the keyness figure ranks them), with Hardie's log2 ratio and its 95 % interval."""
    if tab.empty:
        return ["  - Words: no term was tested (none reached `compare.keyness.min_count`)."]
    lines = []
    for direction, side in (("group", group), ("reference", reference)):
        hits = tab.loc[(tab["direction"] == direction) & (tab["q_value"] < 0.05)]
        hits = hits.reindex(hits["log_odds_z"].abs().sort_values(ascending=False).index)
        if hits.empty:
            lines.append(f"  - Words used more by {side}: none reached q < 0.05.")
            continue
        terms = [
            f"{r['term']} {r['log_ratio']:+.2f} ({r['log_ratio_low']:+.2f} to "
            f"{r['log_ratio_high']:+.2f})"
            for _, r in hits.head(max_rows).iterrows()
        ]
        more = (
            f"; {len(hits) - max_rows:,} more in `tables/compare_keyness.csv`"
            if len(hits) > max_rows
            else ""
        )
        lines.append(
            f"  - Words used more by {side} (log2 rate ratio group/reference, 95% CI; q < 0.05): "
            f"{', '.join(terms)}{more}."
        )
    return lines


def difference_lines(
    tab: pd.DataFrame,
    kind: str,
    names: dict[str, str],
    max_rows: int,
    min_cell_n: int,
    confidence: float,
) -> list[str]:
    """One comparison's differences with q < 0.05 of one kind (frames, actors, topics), largest
    first; shares in percentage points, sentiment in VADER compound units; n per side."""
    label = {"frames": "frame", "actors": "actor sentiment", "topics": "topic prevalence"}[kind]
    if tab.empty:
        return [f"  - No {label} was compared (no group with values on both sides)."]
    hits = tab.loc[tab["q_value"] < 0.05]
    hits = hits.reindex(hits["difference"].abs().sort_values(ascending=False).index)
    if hits.empty:
        return [f"  - No {label} difference reached q < 0.05 ({len(tab)} compared)."]
    share = kind != "actors"
    unit = "percentage points, mean article share" if share else "VADER compound, -1 to +1"
    lines = [f"  - {label.capitalize()} differences with q < 0.05 ({unit}; largest first):"]
    for _, r in hits.head(max_rows).iterrows():
        name = names.get(str(r["item"]), str(r["item"]))
        if share:
            size = (
                f"**{_pp(r['difference'])} pp** ({ci_name(confidence)} "
                f"{_pp(r['difference_low'])} to {_pp(r['difference_high'])}; "
                f"{100 * r['mean_group']:.1f}% vs {100 * r['mean_reference']:.1f}%)"
            )
        else:
            size = (
                f"**{r['difference']:+.2f}** ({ci_name(confidence)} "
                f"{r['difference_low']:+.2f} to {r['difference_high']:+.2f}; "
                f"{r['mean_group']:+.2f} vs {r['mean_reference']:+.2f})"
            )
        n = f"n = {int(r['n_group']):,} | {int(r['n_reference']):,} articles"
        thin = (
            f" — thin: fewer than {min_cell_n} articles on a side (`figures.min_cell_n`), "
            "read with care"
            if _thin(r, min_cell_n)
            else ""
        )
        lines.append(f"    - {name}: {size}, {n}{thin}")
    return _capped(lines, len(hits) - max_rows, COMPARE_TABLES[kind], f"{label} difference(s)")


def compare_section(
    keyness: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    by: list[str],
    frame_names: dict[str, str] | None = None,
    topic_names: dict[str, str] | None = None,
    max_rows: int = 5,
    max_comparisons: int = 10,
    min_cell_n: int = 10,
    confidence: float = 0.95,
    min_articles: int | None = None,
) -> list[str]:
    """The comparisons section: per comparison (a group of a ``compare.by`` variable against its
    reference) the distinguishing terms each way, and the frame, actor sentiment and topic
    differences with q < 0.05, from the compare tables (nothing is recomputed).

    ``tables`` maps frames/actors/topics to ``compare_<kind>.csv``; ``max_rows`` caps each list,
    ``max_comparisons`` the comparisons shown (those with the most differences with q < 0.05,
    in table order); differences resting on fewer than ``min_cell_n`` articles on a side are
    flagged as thin."""
    lines = ["## Comparisons", ""]
    if not by:
        return lines + [
            "- No comparison configured: set `compare.by` to metadata columns (of "
            "`corpus.metadata`) and/or `week`/`month` to compare groups (docs/compare.md).",
            "",
        ]
    names = {"frames": frame_names or {}, "actors": {}, "topics": topic_names or {}}
    keys = ["variable", "group", "reference"]
    parts = [keyness[keys]] + [t[keys] for t in tables.values()]
    comparisons = pd.concat(parts, ignore_index=True).astype(str).drop_duplicates()
    if comparisons.empty:
        need = f" of at least `compare.min_articles` = {min_articles}" if min_articles else ""
        return lines + [
            f"- Nothing to compare: no group of {', '.join(f'`{b}`' for b in by)} has articles"
            f"{need} and a reference (the compare tables are empty).",
            "",
        ]

    def rows(tab: pd.DataFrame, c) -> pd.DataFrame:
        if tab.empty:
            return tab
        return tab.loc[
            (tab["variable"].astype(str) == c.variable)
            & (tab["group"].astype(str) == c.group)
            & (tab["reference"].astype(str) == c.reference)
        ]

    found = [
        sum(int((rows(t, c)["q_value"] < 0.05).sum()) for t in tables.values())
        for c in comparisons.itertuples()
    ]
    comparisons["found"] = found
    shown = comparisons.sort_values("found", ascending=False, kind="stable").head(max_comparisons)
    comparisons = comparisons.loc[comparisons.index.isin(shown.index)]
    frames = tables.get("frames", pd.DataFrame())
    lines += [
        "Each group against its reference (`compare.reference`; `rest` = all other articles "
        f"with a value). Intervals: {ci_name(confidence)}, bootstrap over articles or t for small "
        "groups (log ratio: profile likelihood); q: Benjamini-Hochberg. A positive difference means the group has more than "
        "its reference.",
        "",
    ]
    for c in comparisons.itertuples():
        ref = "the rest" if c.reference == "rest" else c.reference
        head = rows(frames, c)
        n = (
            f" (n = {int(head['n_group'].iloc[0]):,} | {int(head['n_reference'].iloc[0]):,} articles)"
            if len(head)
            else ""
        )
        lines.append(f"- **{c.variable} = {c.group}** vs {ref}{n}:")
        lines += keyness_lines(rows(keyness, c), c.group, ref, max_rows)
        for kind, tab in tables.items():
            lines += difference_lines(
                rows(tab, c), kind, names[kind], max_rows, min_cell_n, confidence
            )
    if len(found) > max_comparisons:
        lines.append(
            f"- {len(found) - max_comparisons} more comparison(s) are in the tables "
            "(`summary.max_comparisons`)."
        )
    return lines + [
        "",
        "Tables: `tables/compare_keyness.csv`, `tables/compare_frames.csv`, "
        "`tables/compare_actors.csv`, `tables/compare_topics.csv`.",
        "",
    ]


def build_summary(sections: list[list[str]], corpus_path: str) -> str:
    head = [
        "# newslens summary",
        "",
        f"Corpus: `{corpus_path}`. Every number below is read from the tables in `results/tables/`; "
        "the figures and their captions are in `results/report.html`, the provenance of the run in "
        "`results/provenance.json`.",
        "",
    ]
    return "\n".join(head + [line for section in sections for line in section]).rstrip() + "\n"


def _inline(text: str) -> str:
    """Markdown inline marks used by the summary: `code`, **bold**, *italic* (HTML-escaped)."""
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", text)):
        if i % 2:
            # not <code>: the report's stylesheet wraps <code> in literal backticks
            out.append(f'<span style="font-family:monospace">{html.escape(part)}</span>')
            continue
        part = html.escape(part, quote=False)
        part = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


def summary_html(markdown: str) -> str:
    """The summary (the Markdown of ``build_summary``: headings, paragraphs, two levels of
    bullets) as an HTML fragment, for the report's first page."""
    out: list[str] = []
    depth = 0  # open <ul> levels

    def close_lists(to: int) -> None:
        nonlocal depth
        while depth > to:
            out.append("</li></ul>")
            depth -= 1

    for line in markdown.splitlines():
        bullet = re.match(r"^( *)- (.*)$", line)
        if bullet:
            level = min(len(bullet.group(1)) // 2 + 1, depth + 1)
            if level > depth:
                out.append("<ul><li>")
                depth = level
            else:
                close_lists(level)
                out.append("</li><li>")
            out.append(_inline(bullet.group(2)))
            continue
        close_lists(0)
        heading = re.match(r"^(#{1,6}) (.*)$", line)
        if heading:
            n = len(heading.group(1)) + 1  # the report's page has its own <h1>
            out.append(f"<h{min(n, 6)}>{_inline(heading.group(2))}</h{min(n, 6)}>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    close_lists(0)
    return "\n".join(out) + "\n"
