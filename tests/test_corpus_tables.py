"""The streamed gather of the corpus tables gives what concatenating and sorting in memory gave:
merge in corpus order, CSV twins, n-gram sums by partition, collocations."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from newslens import corpus_tables as ct
from newslens import shards_gather
from newslens.corpus_tables import collocations, collocations_from_counts
from newslens.runtime import NewslensError
from newslens.shards import PartWriter


def shards_of(table: pd.DataFrame, n_shards: int, doc_order: list[str]) -> list[pd.DataFrame]:
    """Deal a table's articles round-robin into shards, as the pipeline does."""
    shard_of = {d: i % n_shards for i, d in enumerate(doc_order)}
    return [table[table["doc_id"].map(shard_of) == s] for s in range(n_shards)]


def random_tokens(n_docs: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    docs = [f"d{i:04d}" for i in range(n_docs)]
    lengths = rng.integers(0, 40, size=n_docs)  # some articles have no rows
    doc_id = np.repeat(docs, lengths)
    words = np.array(["alpha", "beta", "gamma", "delta", "", "eps,ilon", 'quo"te'])
    table = pd.DataFrame(
        {
            "doc_id": doc_id,
            "tok_id": np.concatenate([np.arange(k) for k in lengths]).astype("int64"),
            "term": words[rng.integers(0, len(words), size=len(doc_id))],
            "keep": rng.random(len(doc_id)) > 0.3,
            "score": rng.normal(size=len(doc_id)).round(3),
        }
    )
    return table, docs


@pytest.mark.parametrize("n_shards", [1, 2, 3])
def test_gather_equals_sorted_concatenation_and_csv(tmp_path, n_shards):
    table, docs = random_tokens(60)
    paths = []
    for i, part in enumerate(shards_of(table, n_shards, docs)):
        paths.append(tmp_path / f"{i}.parquet")
        part.to_parquet(paths[-1], index=False)
    ids = pa.array(docs)
    index = np.arange(len(docs))

    def key(t):
        return shards_gather.doc_keys(t.column("doc_id"), ids, index)

    # tiny batches: articles are cut across batches and the merge must join them in order
    n = shards_gather.gather(
        paths, key, tmp_path / "out.parquet", tmp_path / "out.csv", csv_max_rows=None, batch_rows=7
    )
    assert n == len(table)
    got = pd.read_parquet(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(got, table.reset_index(drop=True), check_dtype=False)
    expected_csv = table.to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == expected_csv


def test_gather_csv_cap_and_empty_shards(tmp_path):
    table, docs = random_tokens(10)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    table.to_parquet(a, index=False)
    pd.DataFrame(columns=table.columns).to_parquet(b, index=False)  # null-typed columns
    ids, index = pa.array(docs), np.arange(len(docs))

    def key(t):
        return shards_gather.doc_keys(t.column("doc_id"), ids, index)

    n = shards_gather.gather(
        [a, b], key, tmp_path / "o.parquet", tmp_path / "o.csv", csv_max_rows=5
    )
    assert n == len(table) > 5
    assert "too many for CSV" in (tmp_path / "o.csv").read_text()
    shards_gather.gather([b], key, tmp_path / "e.parquet", tmp_path / "e.csv")
    assert pd.read_parquet(tmp_path / "e.parquet").empty
    assert (tmp_path / "e.csv").read_text() == "doc_id,tok_id,term,keep,score\n"


def test_gather_refuses_a_shard_out_of_corpus_order(tmp_path):
    table, docs = random_tokens(10)
    path = tmp_path / "s.parquet"
    table.iloc[::-1].to_parquet(path, index=False)
    ids, index = pa.array(docs), np.arange(len(docs))
    with pytest.raises(NewslensError, match="not in corpus order"):
        shards_gather.gather(
            [path],
            lambda t: shards_gather.doc_keys(t.column("doc_id"), ids, index),
            tmp_path / "o.parquet",
        )
    assert not (tmp_path / "o.parquet").exists()


def test_integer_column_with_nulls_prints_as_pandas_concat_does(tmp_path):
    a = pd.DataFrame({"doc_id": ["x"], "doc_index": [0], "line": pd.array([1], dtype="Int64")})
    b = pd.DataFrame({"doc_id": ["y"], "doc_index": [1], "line": pd.array([None], dtype="Int64")})
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    a.to_parquet(paths[0], index=False)
    b.to_parquet(paths[1], index=False)
    shards_gather.gather(
        paths,
        lambda t: t.column("doc_index").to_numpy(),
        tmp_path / "o.parquet",
        tmp_path / "o.csv",
        drop=("doc_index",),
    )
    old = pd.concat([pd.read_parquet(p) for p in paths]).drop(columns="doc_index")
    assert (tmp_path / "o.csv").read_text() == old.to_csv(index=False, lineterminator="\n")


def test_doc_keys_unknown_documents_sort_last():
    ids = pa.array(["a", "b", "c"])
    keys = shards_gather.doc_keys(
        pa.array(["b", "b", "zz", "c", "a", "a"]), ids, np.array([10, 20, 30])
    )
    assert keys.tolist() == [20, 20, shards_gather.UNKNOWN_DOC, 30, 10, 10]


def random_ngrams(n_docs: int, seed: int) -> pd.DataFrame:
    """One shard's n-gram table (ngram, n, count, doc_freq) counted from random articles of a
    Zipf-like vocabulary, as tokenize writes it."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(40)] + ["é", "naïve", "x"])
    p = 1.0 / np.arange(1, len(words) + 1)
    rows = {}
    for _ in range(n_docs):
        toks = rng.choice(words, size=int(rng.integers(3, 30)), p=p / p.sum()).tolist()
        seen = set()
        for n in (1, 2, 3):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                count, df = rows.get(gram, (0, 0))
                rows[gram] = (count + 1, df + (gram not in seen))
                seen.add(gram)
    return pd.DataFrame(
        [(k, k.count(" ") + 1, c, d) for k, (c, d) in rows.items()],
        columns=["ngram", "n", "count", "doc_freq"],
    )


@pytest.mark.parametrize("partition_rows", [10**9, 500, 37])
def test_summed_ngrams_by_partition_equal_groupby(tmp_path, partition_rows):
    shards = [random_ngrams(60, seed) for seed in range(3)]
    paths = []
    for i, s in enumerate(shards):
        paths.append(tmp_path / f"{i}.parquet")
        s.to_parquet(paths[-1], index=False)
    expected = (
        pd.concat(shards, ignore_index=True)
        .groupby(["ngram", "n"], as_index=False)[["count", "doc_freq"]]
        .sum()
        .sort_values("ngram")
        .reset_index(drop=True)
    )
    spill = tmp_path / "spill"
    spill.mkdir()
    parts = [p.to_pandas() for p in ct.summed_ngrams(paths, spill, partition_rows, batch_rows=101)]
    got = pd.concat(parts, ignore_index=True).sort_values("ngram").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    total = sum(len(x) for x in shards)
    assert len(parts) == max(1, -(-total // partition_rows))
    assert list(spill.iterdir()) == []  # the spilled partitions are removed


def test_ngram_partition_is_a_function_of_the_string():
    strings = pa.array(["", "a", "ab", "abc", "b c", "naïve", "abc", "a"] * 50)
    parts = ct.ngram_partition(strings, 7)
    assert parts.min() >= 0 and parts.max() < 7 and len(set(parts.tolist())) > 2
    by_string = {}
    for s, p in zip(strings.to_pylist(), parts, strict=True):
        assert by_string.setdefault(s, p) == p
    # a slice of an array (non-zero offset) and a chunked array give the same partitions
    assert (ct.ngram_partition(strings.slice(3, 20), 7) == parts[3:23]).all()
    chunked = pa.chunked_array([strings.slice(0, 10), strings.slice(10)])
    assert (ct.ngram_partition(chunked, 7) == parts).all()


@pytest.mark.parametrize("measure", ["likelihood_ratio", "pmi", "chi_sq", "student_t", "raw_freq"])
def test_collocations_from_counts_equal_nltk_on_all_bigrams(measure):
    ngrams = random_ngrams(300, 5)
    ngrams = ngrams[ngrams["n"] <= 2]  # many ties: bigrams with equal contingency tables
    uni = ngrams[ngrams["n"] == 1]
    bi = ngrams[ngrams["n"] == 2]
    expected = collocations(ngrams, measure, 2, 15)
    got = collocations_from_counts(uni, bi, measure, 2, 15)
    pd.testing.assert_frame_equal(got, expected)
    assert len(got) == 15


def test_corpus_tables_script_on_shards_matches_in_memory_tables(tmp_path):
    """The entry script, on shards written by hand: tables in corpus order, whatever the
    shards."""
    import runpy
    from types import SimpleNamespace

    tokens, docs = random_tokens(30, seed=3)
    tokens["para_id"] = 0
    tokens["sent_id"] = 0
    doc_table = pd.DataFrame({"doc_index": np.arange(len(docs)), "doc_id": docs, "title": "t"})
    ngram_parts = {3: [random_ngrams(20, i) for i in range(3)]}
    ngram_parts[1] = [
        pd.concat(ngram_parts[3])
        .groupby(["ngram", "n"], as_index=False, sort=False)[["count", "doc_freq"]]
        .sum()
    ]
    outs = {}
    for n_shards in (1, 3):
        d = tmp_path / f"s{n_shards}"
        files = {k: [] for k in ("docs", "tokens", "sentences", "paragraphs", "ngrams", "clean")}
        # blocks of 4 articles dealt round robin; the per-row tables are written as the tokenize
        # jobs write them: parts in results/tables/<name>/, a part list per shard
        block = doc_table["doc_index"] // 4
        for i in range(n_shards):
            sub = doc_table[block % n_shards == i]
            part = tokens[tokens["doc_id"].isin(sub["doc_id"])]
            for name, df in (
                ("docs", sub),
                ("ngrams", ngram_parts[n_shards][i]),
                ("clean", sub.assign(source="x")[["doc_id", "source"]]),
            ):
                files[name].append(str(d / f"{name}{i}.parquet"))
                Path(files[name][-1]).parent.mkdir(parents=True, exist_ok=True)
                df.to_parquet(files[name][-1], index=False)
            for name, df in (
                ("tokens", part),
                ("sentences", part.drop_duplicates("doc_id")[["doc_id", "sent_id"]]),
                ("paragraphs", part.drop_duplicates("doc_id")[["doc_id", "para_id"]]),
            ):
                files[name].append(str(d / f"{name}{i}.json"))
                schema = pa.Schema.from_pandas(df, preserve_index=False)
                with PartWriter(d / "out" / name, files[name][-1], schema) as writer:
                    block_of = dict(zip(docs, np.arange(len(docs)) // 4, strict=True))
                    blocks = df["doc_id"].map(block_of)
                    for b in sorted(set(blocks)):
                        writer.write(b, df[blocks == b])
        audit = pd.DataFrame(
            columns=[
                "doc_id",
                "source",
                "stage",
                "action",
                "reason",
                "line_no",
                "content",
                "related_doc_id",
            ]
        )
        audit.to_parquet(d / "audit.parquet", index=False)
        pd.DataFrame({"doc_id": [], "kept_doc_id": [], "kind": [], "similarity": []}).to_parquet(
            d / "dropped.parquet", index=False
        )

        class NS(SimpleNamespace):
            def get(self, k, default=None):
                return getattr(self, k, default)

        names = [
            "documents.csv",
            "documents.parquet",
            "cleaning_audit.csv",
            "term_frequencies.csv",
            "ngram_frequencies.csv",
            "collocations.csv",
            "sentences/_manifest.json",
            "paragraphs/_manifest.json",
            "tokens/_manifest.json",
            "tokens.csv",
        ]
        keys = [
            "documents",
            "documents_parquet",
            "audit",
            "terms",
            "ngrams",
            "collocations",
            "sentences",
            "paragraphs",
            "tokens",
            "tokens_csv",
        ]
        smk = SimpleNamespace(
            input=NS(
                **files,
                clean_audit=[str(d / "audit.parquet")],
                ingest_audit=str(d / "audit.parquet"),
                dropped=str(d / "dropped.parquet"),
            ),
            output=NS(**{k: str(d / "out" / n) for k, n in zip(keys, names, strict=True)}),
            params=SimpleNamespace(
                collocations={"measure": "likelihood_ratio", "min_freq": 2, "top_n": 10},
                ngram_min_count=2,
            ),
            log=[str(d / "log.txt")],
            rule="corpus_tables",
        )
        for rule in ("corpus_tables", "corpus_ngrams"):  # the two rules run side by side
            script = Path(__file__).resolve().parents[1] / "scripts" / f"{rule}.py"
            runpy.run_path(str(script), init_globals={"snakemake": smk})
        outs[n_shards] = {
            n: (d / "out" / n).read_bytes() for n in names if n.endswith((".csv", ".json"))
        }
        got = pd.read_parquet(d / "out" / "tokens")
        pd.testing.assert_frame_equal(got, tokens.reset_index(drop=True), check_dtype=False)
    assert outs[1] == outs[3]
    assert outs[1]["tokens.csv"].decode() == tokens.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("bucket_rows", [10**9, 7])
def test_ngram_table_by_buckets_and_collocations_by_partition(tmp_path, bucket_rows):
    from newslens.corpus_tables import collocation_candidates, ngram_frequencies

    ngrams = random_ngrams(120, 1)
    table = pa.Table.from_pandas(ngrams, preserve_index=False).cast(ct.NGRAM_SCHEMA)
    part = ct.ngram_partition(table.column("ngram"), 3)
    spills = [
        shards_gather.write_ipc(table.filter(pa.array(part == i)), tmp_path / f"{i}.arrow")
        for i in range(3)
    ]
    n = ct.write_sorted_ngrams(
        spills, 2, tmp_path / "ng.csv", bucket_rows=bucket_rows, batch_rows=5
    )
    expected = ngram_frequencies(ngrams, 2)
    assert n == len(expected) > 20
    assert (tmp_path / "ng.csv").read_text() == expected.to_csv(index=False, lineterminator="\n")

    uni = ngrams[ngrams["n"] == 1]
    union = pd.concat(
        [
            collocation_candidates(
                uni, shards_gather.read_ipc(s).to_pandas().query("n == 2"), "pmi", 2, 10
            )
            for s in spills
        ]
    )
    got = collocations_from_counts(uni, union, "pmi", 2, 10)
    pd.testing.assert_frame_equal(got, collocations(ngrams[ngrams["n"] <= 2], "pmi", 2, 10))
