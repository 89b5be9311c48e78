"""End to end: the Snakemake workflow on the seed and on a corpus of bad inputs."""

import hashlib
import shutil

import pandas as pd
import pytest
import yaml
from conftest import REPO, make_workdir, planned_rules, run_snakemake

SEED_FILE = REPO / "seeds" / "000_bddb6e4422a4ea30.txt"
CORPUS_TARGET = "results/tables/cleaning_audit.csv"


def test_seed_documents_table(seed_tables):
    docs = pd.read_csv(seed_tables / "documents.csv", keep_default_na=False)
    assert len(docs) == 1
    doc = docs.iloc[0]
    assert doc["doc_id"] == "000_bddb6e4422a4ea30"
    assert doc["title"] == "CSTO summit - a time of difficult decisions"
    assert doc["date"] == "2022-11-23"
    assert doc["author"] == "Yuri Veselov" and doc["role"] == "military observer"
    assert (doc["n_paragraphs"], doc["n_sentences"]) == (13, 25)
    tokens = pd.read_parquet(seed_tables / "tokens")
    assert doc["n_tokens"] == len(tokens) and doc["n_terms"] == tokens["keep"].sum()


def test_seed_sentence_and_token_tables(seed_tables):
    sentences = pd.read_parquet(seed_tables / "sentences")
    assert sentences["sent_id"].tolist() == list(range(25))
    assert pd.read_csv(seed_tables / "sentences.csv")["text"].tolist() == sentences["text"].tolist()
    assert not sentences["text"].str.contains("Read on the topic|Comments").any()
    terms = pd.read_csv(seed_tables / "term_frequencies.csv", keep_default_na=False)
    top = terms.set_index("term")["count"]
    assert top["csto"] == 18  # "CSTO" occurs 18 times in the clean text (title excluded)
    assert "the" not in top.index
    colloc = pd.read_csv(seed_tables / "collocations.csv")
    assert {"nikol pashinyan", "prime minister", "collective security"} <= set(colloc["bigram"])


def test_seed_audit_records_furniture(seed_tables):
    audit = pd.read_csv(seed_tables / "cleaning_audit.csv", keep_default_na=False)
    removed = set(zip(audit["action"], audit["content"], strict=True))
    assert {
        ("removed_line", "X"),
        ("removed_line", "Comments"),
        ("removed_line", "0"),
        ("cut", "Read on the topic"),
    } <= removed


def test_seed_figure(seed_run):
    png = seed_run / "results" / "figures" / "top_terms.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    svg = (seed_run / "results" / "figures" / "top_terms.svg").read_text()
    assert "csto" in svg and "<dc:date>" not in svg


def test_lint_is_clean(seed_run):
    proc = run_snakemake(seed_run, "--lint", check=False)
    assert "Congratulations" in proc.stdout + proc.stderr, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_config_change_reruns_only_affected_rules(seed_run, tmp_path):
    workdir = tmp_path / "w"
    shutil.copytree(seed_run, workdir, symlinks=True)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["tokenize"]["top_terms"] = 10
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    rules = planned_rules(workdir, CORPUS_TARGET, "results/figures/top_terms.png")
    assert rules == {"plot_top_terms"}
    cfg["cleaning"]["min_words"] = 5
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    rules = planned_rules(workdir, CORPUS_TARGET, "results/figures/top_terms.png")
    assert {
        "clean",
        "deduplicate",
        "tokens_train_punkt",
        "tokens_tokenize",
        "corpus_tables",
        "plot_top_terms",
    } <= rules
    assert "ingest" not in rules


def test_config_typo_names_the_key(tmp_path):
    workdir = make_workdir(tmp_path)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["tokenize"]["min_token_lenght"] = 3
    cfg_path.write_text(yaml.safe_dump(cfg))
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    assert "min_token_lenght" in proc.stderr + proc.stdout


def test_config_wrong_type_names_the_key(tmp_path):
    workdir = make_workdir(tmp_path, tokenize__min_token_length="two")
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    assert (
        "config key tokenize.min_token_length" in proc.stderr + proc.stdout
        and "'two'" in proc.stderr + proc.stdout
        and "allowed: type integer" in proc.stderr + proc.stdout
    )


def test_missing_corpus_folder_is_a_clear_error(tmp_path):
    workdir = make_workdir(tmp_path, corpus=tmp_path / "nowhere")
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0 and "config key corpus.path" in proc.stderr + proc.stdout


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    """A folder corpus with every kind of bad input beside the seed."""
    tmp = tmp_path_factory.mktemp("messy")
    corpus = tmp / "corpus"
    corpus.mkdir()
    seed = SEED_FILE.read_text(encoding="utf-8")
    shutil.copy(SEED_FILE, corpus / "a_seed.txt")
    (corpus / "b_exact_copy.txt").write_text(seed.replace("\n\n", "\n\n\n"), encoding="utf-8")
    (corpus / "c_near_copy.txt").write_text(
        seed.replace("extremely tense", "very tense"), encoding="utf-8"
    )
    (corpus / "d_empty.txt").write_bytes(b"")
    (corpus / "e_boilerplate.txt").write_text(
        "X\n\nComments\n\n0\n\nRead on the topic\n", encoding="utf-8"
    )
    (corpus / "f_binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    russian = (
        "Президент России Владимир Путин прибудет в Ереван для переговоров с премьер-министром "
        "Армении Николом Пашиняном. На встрече планируется обсудить состояние конфликта с "
        "Азербайджаном и выработать пути его окончательного урегулирования. "
    ) * 2
    (corpus / "g_russian_cp1251.txt").write_bytes(russian.encode("cp1251"))
    paras = "".join(
        f"<p>In paragraph {i}, officials in Baku and Yerevan said that the border talks would continue next week in Brussels.</p>"
        for i in range(4)
    )
    (corpus / "h_page.html").write_text(
        f"<html><head><title>Border talks</title></head><body><nav>Home | World</nav><article><h1>Border talks</h1>{paras}</article>"
        "<footer>Copyright 2022</footer></body></html>",
        encoding="utf-8",
    )
    (corpus / "i_notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    (tmp / "work").mkdir()
    workdir = make_workdir(tmp / "work", corpus=corpus)
    run_snakemake(workdir, CORPUS_TARGET)
    after = {p.name: p.read_bytes() for p in corpus.iterdir()}
    assert before == after, "an input file was modified"
    return workdir / "results" / "tables"


def test_messy_corpus_outcomes(messy_run):
    docs = pd.read_csv(messy_run / "documents.csv", keep_default_na=False).set_index("doc_id")
    assert sorted(docs.index) == ["a_seed", "g_russian_cp1251", "h_page"]
    assert docs.loc["h_page", "title"] == "Border talks"
    sentences = pd.read_parquet(messy_run / "sentences")
    assert (
        sentences.loc[sentences["doc_id"] == "g_russian_cp1251", "text"]
        .iloc[0]
        .startswith("Президент России")
    )
    audit = pd.read_csv(messy_run / "cleaning_audit.csv", keep_default_na=False)
    by_doc = audit.groupby("doc_id")["action"].apply(set)
    assert "skipped_file" in by_doc["d_empty"]
    assert "skipped_file" in by_doc["f_binary"]
    assert "skipped_file" in by_doc["i_notes"]
    assert "skipped_article" in by_doc["e_boilerplate"]
    assert "html_extracted" in by_doc["h_page"]
    dups = audit.loc[audit["action"] == "dropped_duplicate"].set_index("doc_id")
    assert (
        dups.loc["b_exact_copy", "related_doc_id"] == "a_seed"
        and "exact" in dups.loc["b_exact_copy", "reason"]
    )
    assert (
        dups.loc["c_near_copy", "related_doc_id"] == "a_seed"
        and "near" in dups.loc["c_near_copy", "reason"]
    )
    reasons = audit.set_index("doc_id")["reason"]
    assert reasons["d_empty"] == "empty file"
    assert "unsupported file type '.pdf'" in reasons["i_notes"]


def test_table_corpus_with_metadata(tmp_path):
    seed = SEED_FILE.read_text(encoding="utf-8")
    table = pd.DataFrame(
        {
            "article_id": ["r1", "r2", "r3"],
            "body": [seed, "", "Baku and Yerevan resumed talks in Brussels on Monday. " * 5],
            "outlet": ["A", "B", "C"],
            "published": ["2022-11-23", "2022-11-24", "25 Nov 2022"],
        }
    )
    path = tmp_path / "corpus.csv"
    table.to_csv(path, index=False)
    (tmp_path / "w").mkdir()
    workdir = make_workdir(
        tmp_path / "w",
        corpus=path,
        corpus__metadata=["outlet"],
        corpus__columns={
            "text": "body",
            "id": "article_id",
            "date": "published",
            "title": None,
            "author": None,
        },
    )
    run_snakemake(workdir, CORPUS_TARGET)
    docs = pd.read_csv(workdir / "results" / "tables" / "documents.csv", keep_default_na=False)
    assert docs["doc_id"].tolist() == ["r1", "r3"]
    assert docs["outlet"].tolist() == ["A", "C"]
    assert docs["date"].tolist() == ["2022-11-23", "2022-11-25"]
    audit = pd.read_csv(
        workdir / "results" / "tables" / "cleaning_audit.csv", keep_default_na=False
    )
    row = audit.loc[audit["doc_id"] == "r2"].iloc[0]
    assert row["reason"] == "empty text in column 'body'" and row["source"].endswith(
        "corpus.csv:row 2"
    )


def test_table_without_text_column_fails_clearly(tmp_path):
    path = tmp_path / "corpus.csv"
    pd.DataFrame({"id": ["a"], "content": ["text"]}).to_csv(path, index=False)
    (tmp_path / "w").mkdir()
    workdir = make_workdir(tmp_path / "w", corpus=path)
    proc = run_snakemake(workdir, "results/interim/audit/ingest.parquet", check=False)
    assert proc.returncode != 0
    log = (workdir / "results" / "logs" / "ingest.log").read_text()
    assert "has no column(s) ['text']" in log and "corpus.columns" in log
    assert "Traceback" not in log


def test_rerun_gives_identical_tables(seed_run, tmp_path):
    workdir = tmp_path / "again"
    shutil.copytree(seed_run, workdir, symlinks=True)
    root = workdir / "results" / "tables"
    tables = sorted(root.glob("*")) + sorted(root.glob("*/_manifest.json"))
    tables = [
        t
        for t in tables
        if str(t.relative_to(root))
        in {
            "documents.csv",
            "cleaning_audit.csv",
            "term_frequencies.csv",
            "ngram_frequencies.csv",
            "collocations.csv",
            "sentences/_manifest.json",
            "tokens/_manifest.json",
            "tokens.csv",
        }
    ]
    # a dataset's manifest holds the SHA-256 of each of its part files
    before = {str(t.relative_to(root)): hashlib.sha256(t.read_bytes()).hexdigest() for t in tables}
    run_snakemake(workdir, "--forcerun", "ingest", CORPUS_TARGET, "results/figures/top_terms.png")
    after = {str(t.relative_to(root)): hashlib.sha256(t.read_bytes()).hexdigest() for t in tables}
    assert len(before) == 8 and before == after
    fig = workdir / "results" / "figures"
    assert (fig / "top_terms.svg").read_bytes() == (
        seed_run / "results" / "figures" / "top_terms.svg"
    ).read_bytes()
