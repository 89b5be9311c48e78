"""Markup and control characters in article text (cleaning.markup): HTML in a .txt file or a
table cell, Markdown in a .md file, NUL and escape characters. Before, each was kept as read:
tags, script code, link targets and emphasis marks became words and tokens."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from conftest import REPO
from newslens.clean import CleaningRules, clean_frame
from newslens.corpus import read_folder_file
from newslens.dedup import Signer
from newslens.markup import count_control, html_kind, remove_markup, strip_html, strip_markdown

BODY = " ".join(["Armenia said the talks with Azerbaijan would continue next week in Moscow."] * 5)


def cleaning(**overrides) -> tuple[CleaningRules, Signer]:
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["cleaning"]
    cfg.update(overrides)
    dedup = cfg["dedup"]
    return CleaningRules.from_config(cfg), Signer(dedup["num_perm"], dedup["shingle_words"])


def clean(texts: list[str], kinds: list[str] | None = None, **overrides):
    rules, signer = cleaning(**overrides)
    n = len(texts)
    ids = [f"d{i}" for i in range(n)]
    raw = pd.DataFrame(
        {
            "doc_index": range(n),
            "doc_id": ids,
            "source": [f"t.csv:row {i + 1}" for i in range(n)],
            "kind": kinds or ["text"] * n,
            "raw": texts,
            "title": [None] * n,
            "date": [None] * n,
            "author": [None] * n,
        }
    )
    out, audit = clean_frame(raw, rules, signer, [])
    audit = pd.DataFrame(audit, columns=["doc_id", "source", "action", "reason"])
    return out.set_index("doc_id"), audit[audit["action"] != "removed_line"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<p>one</p><p>two</p>", "fragment"),
        ("<!DOCTYPE html><html><body>x</body></html>", "page"),
        ("  <html lang='en'><p>x</p>", "page"),
        ("a <b>bold</b> word", "fragment"),
        ("if a<b and c>d then", None),  # one tag-like span in prose is no HTML
        ("if x<3 then y>2", None),
        (BODY, None),
    ],
)
def test_html_is_recognised_only_with_tags(text, kind):
    assert html_kind(text) == kind


def test_html_fragment_becomes_paragraphs_without_tags_or_scripts():
    text, n_tags = strip_html(
        "<div><p>First &amp; second.</p><script>var x = 1;</script><p>Third<br/>line</p></div>"
    )
    assert text == "First & second.\n\nThird\n\nline"
    assert n_tags == 9


def test_markdown_marks_are_removed_and_link_text_kept():
    text, n = strip_markdown(
        "# Talks resume\n\n**By** _Anna Smith_\n\nAbout [Armenia](https://example.org/a_(b)) "
        "and snake_case and 2*3*4.\n\n* one\n- two\n\n![map](m.png)\n> quoted\n\n```\ncode\n```\n"
    )
    assert text.split("\n\n")[:3] == [
        "Talks resume",
        "By Anna Smith",
        "About Armenia and snake_case and 2*3*4.",
    ]
    assert "example.org" not in text and "m.png" not in text and "*" not in text.split(".")[-1]
    assert "one\ntwo" in text and "quoted" in text and "```" not in text
    assert n == 10  # heading, strong, emphasis, link, image, quote, 2 bullets, 2 fences


def test_remove_markup_reasons():
    text, meta, reason = remove_markup("plain text, no tags", "text", None)
    assert (text, meta, reason) == ("plain text, no tags", {}, "")
    _, _, reason = remove_markup("<p>a</p><p>b</p>", "text", None)
    assert reason == "4 HTML tag(s) removed, with script/style contents (cleaning.markup)"
    page = "<html><p>x</p></html>"
    text, meta, reason = remove_markup(page, "text", lambda h: ("X", {"title": "T"}))
    assert (text, meta) == ("X", {"title": "T"}) and "HTML page (not named .html)" in reason


def test_html_in_a_table_cell_and_a_txt_page_are_audited_and_give_no_tag_words():
    cell = f"<p>{BODY}</p><p>Second {BODY}</p><script>var tracker = 1;</script>"
    page = f"<html><head><title>Talks</title></head><body><nav>Home | News</nav><article><p>{BODY}</p><p>{BODY} Again.</p></article></body></html>"
    out, audit = clean([cell, page, BODY])
    assert "<" not in out.loc["d0", "text"] and "tracker" not in out.loc["d0", "text"]
    assert out.loc["d0", "text"].count("\n\n") == 1  # two paragraphs
    assert "Home" not in out.loc["d1", "text"] and out.loc["d1", "title"] == "Talks"
    assert out.loc["d2", "text"] == BODY
    rows = audit[audit["action"] == "markup_removed"]
    assert rows["doc_id"].tolist() == ["d0", "d1"]
    assert rows["source"].tolist() == ["t.csv:row 1", "t.csv:row 2"]
    assert rows["reason"].iloc[0].startswith("6 HTML tag(s) removed")


def test_markup_keep_leaves_the_text_as_read():
    cell = f"<p>{BODY}</p><p>{BODY}</p>"
    out, audit = clean([cell], markup="keep")
    assert out.loc["d0", "text"].startswith("<p>Armenia")
    assert "markup_removed" not in set(audit["action"])


def test_markdown_file_is_kind_markdown_and_its_byline_is_found(tmp_path):
    path = tmp_path / "story.md"
    path.write_text(
        f"# Talks resume in Moscow\n\n**By** _Anna Smith_\n\n{BODY} [link](http://x.org)\n"
    )
    record, _ = read_folder_file(path, tmp_path)
    assert record["kind"] == "markdown"
    out, audit = clean([record["raw"]], [record["kind"]])
    assert out.loc["d0", "title"] == "Talks resume in Moscow"
    assert out.loc["d0", "author"].endswith("Anna Smith")  # no * or _ left
    assert "http" not in out.loc["d0", "text"] and "*" not in out.loc["d0", "text"]
    assert audit[audit["action"] == "markup_removed"]["reason"].tolist() == [
        "4 Markdown mark(s) removed (headings, emphasis, link targets) (cleaning.markup)"
    ]


def test_control_characters_are_counted_and_audited():
    assert count_control("a\x00b\x07c\x1b[31m\td\ne\r") == 3
    out, audit = clean([BODY.replace("Armenia", "Arme\x00nia\x1b", 1), BODY + " Fine."])
    rows = audit[audit["action"] == "control_characters"]
    assert rows["doc_id"].tolist() == ["d0"]
    assert rows["reason"].iloc[0].startswith("2 control character(s)")
    assert "\x00" not in out.loc["d0", "text"]


def test_html_fragment_keeps_single_line_breaks_of_a_header():
    text, _ = strip_html("<b>Talks resume</b>\nDate of publication: 5 November 2022\n<i>x</i> y")
    assert text == "Talks resume\nDate of publication: 5 November 2022\nx y"
    out, _ = clean([f"<b>Talks resume</b>\nDate of publication: 5 November 2022\n\n<p>{BODY}</p>"])
    assert (out.loc["d0", "title"], out.loc["d0", "date"]) == ("Talks resume", "2022-11-05")
