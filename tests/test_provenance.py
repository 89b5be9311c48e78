"""Provenance of the seed run: config, checksums, packages, commit, job timings."""

import hashlib
import json

from conftest import REPO


def test_provenance_content(seed_run):
    prov = json.loads((seed_run / "results" / "provenance.json").read_text())
    assert prov["config"]["corpus"]["path"] == str(REPO / "seeds")
    assert prov["config"]["tokenize"]["normalize"] == "lemma"
    seed_file = str(REPO / "seeds" / "000_bddb6e4422a4ea30.txt")
    expected = hashlib.sha256(
        (REPO / "seeds" / "000_bddb6e4422a4ea30.txt").read_bytes()
    ).hexdigest()
    assert prov["input_files"]["sha256"][seed_file] == expected
    assert any(p.endswith("stopwords_en.txt") for p in prov["input_files"]["sha256"])
    docs = "results/tables/documents.csv"
    assert (
        prov["output_files"]["sha256"][docs]
        == hashlib.sha256((seed_run / docs).read_bytes()).hexdigest()
    )
    assert prov["packages"]["nltk"] == "3.10.4" and prov["packages"]["snakemake"].startswith("9.")
    assert len(prov["workflow"]["commit"] or "") in (0, 40)
    rules = {job["rule"] for job in prov["jobs"]}
    assert {"ingest", "clean", "tokens_tokenize", "corpus_tables"} <= rules
    assert all(job["seconds"] >= 0 and job["start"] <= job["end"] for job in prov["jobs"])
