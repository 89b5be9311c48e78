"""A single-script prototype of the pipeline's stages, the fastest simple choice per stage: the
yardstick the workflow is measured against (`bench_pipeline.py --compare-prototype`).

    python benchmarks/prototype.py corpus.parquet OUTDIR [--workers 2] [--k 20] [--supervised]

The corpus is a Parquet or CSV table with columns id, text (and optionally outlet). Stages:

1. clean: blank-line paragraphs, whitespace normalised, the title and date lines dropped;
   exact duplicates (same normalised text) dropped.
2. sentences by one regex; tokens by one regex, lowercased; Snowball stems by PyStemmer (the
   project's stemmer when PyStemmer is not installed), computed once per word type.
3. sentiment: vaderSentiment's compound score per sentence; the article mean.
4. actors: one regex over all aliases of config `actors`; the mean sentence score per actor.
5. frames: one regex over the codebook's stemmed indicator terms (config `framing.codebook`),
   weighted hits per sentence, the strongest frame with weight >= 1 labels the sentence.
   With --supervised: TF-IDF + LinearSVC trained on the codebook labels of a 50k-sentence
   sample and applied to every sentence (the pipeline runs its supervised classifier only
   when labelled data is configured).
6. topics: the configured vocabulary filter (min_df, max_df, max_features), TF-IDF, one NMF with
   K = --k fitted on a 50k-article sample, then every article transformed (no K grid).

Articles are processed in batches by --workers processes; tables go to OUTDIR (tokens,
sentences and actor mentions as Parquet, the rest CSV). It writes no figures and no report.
Stage times go to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from scipy import sparse

REPO = Path(__file__).resolve().parents[1]
BATCH = 2000
SENT_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
TOKEN_RE = re.compile(r"\w+(?:['’-]\w+)*")
DATE_RE = re.compile(r"^(date of publication|published|updated)\b", re.I)

_STATE: dict = {}


def stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # the project's own normaliser (NLTK Snowball)
        sys.path.insert(0, str(REPO / "scripts"))
        from newslens.codebook import get_normalizer

        return get_normalizer("stem")


def load_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def codebook_regex(cfg: dict, stem) -> tuple[re.Pattern, dict]:
    """One alternation of all stemmed indicator terms (longest first) and term -> [(frame,
    weight)]."""
    book = yaml.safe_load((REPO / cfg["framing"]["codebook"]).read_text())
    table: dict[str, list] = {}
    for frame in book["frames"]:
        for term in frame.get("terms", []):
            text, weight = (
                (term["term"], term.get("weight", 1.0))
                if isinstance(term, dict)
                else (
                    term,
                    1.0,
                )
            )
            key = " ".join(stem(w) for w in TOKEN_RE.findall(str(text).lower()))
            if key:
                table.setdefault(key, []).append((frame["key"], float(weight)))
    alternation = "|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\S)(?:{alternation})(?!\S)"), table


def actor_regex(cfg: dict) -> tuple[re.Pattern, dict]:
    alias = {a: actor for actor, names in (cfg.get("actors") or {}).items() for a in names}
    alternation = "|".join(re.escape(a) for a in sorted(alias, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), alias


def init_worker(stopwords: frozenset) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    cfg = load_config()
    stem = stemmer()
    _STATE.update(
        vader=SentimentIntensityAnalyzer(),
        stem=stem,
        stem_cache={},
        stop=stopwords,
        frames=codebook_regex(cfg, stem),
        actors=actor_regex(cfg),
    )


def clean(text: str) -> list[str]:
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    paras = [p for p in paras if p]
    if len(paras) > 1 and not paras[0].endswith((".", "!", "?", '"')):
        paras = paras[1:]  # the title line
    return [p for p in paras if not DATE_RE.match(p)]


def process_batch(batch: list[tuple[str, str]]) -> dict:
    """Every per-article stage for one batch of (doc_id, text)."""
    vader = _STATE["vader"]
    stem, cache, stop = _STATE["stem"], _STATE["stem_cache"], _STATE["stop"]
    frame_re, frame_terms = _STATE["frames"]
    actor_re, alias = _STATE["actors"]
    tok = {"doc_id": [], "sentence": [], "token": [], "stem": []}
    sent = {"doc_id": [], "sentence": [], "n_tokens": [], "compound": [], "frame": []}
    ment = {"doc_id": [], "sentence": [], "actor": [], "compound": []}
    doc_rows, doc_terms, sent_stems = [], [], []
    for doc_id, text in batch:
        n_tok, n_sent, scores = 0, 0, []
        terms: Counter = Counter()
        for para in clean(text):
            for s in SENT_RE.split(para):
                words = TOKEN_RE.findall(s.lower())
                if not words:
                    continue
                stems = []
                for w in words:
                    st = cache.get(w)
                    if st is None:
                        st = cache[w] = stem(w)
                    stems.append(st)
                joined = " ".join(stems)
                weights: dict[str, float] = {}
                for m in frame_re.finditer(joined):
                    for frame, wt in frame_terms[m.group(0)]:
                        weights[frame] = weights.get(frame, 0.0) + wt
                best = max(weights, key=weights.get) if weights else ""
                frame = best if best and weights[best] >= 1.0 else ""
                score = vader.polarity_scores(s)["compound"]
                for actor in {alias[m.group(0)] for m in actor_re.finditer(s)}:
                    ment["doc_id"].append(doc_id)
                    ment["sentence"].append(n_sent)
                    ment["actor"].append(actor)
                    ment["compound"].append(score)
                k = len(words)
                tok["doc_id"] += [doc_id] * k
                tok["sentence"] += [n_sent] * k
                tok["token"] += words
                tok["stem"] += stems
                sent["doc_id"].append(doc_id)
                sent["sentence"].append(n_sent)
                sent["n_tokens"].append(k)
                sent["compound"].append(score)
                sent["frame"].append(frame)
                sent_stems.append(joined)
                terms.update(w for w in words if w not in stop and not w.isdigit())
                scores.append(score)
                n_tok += k
                n_sent += 1
        doc_rows.append((doc_id, n_tok, n_sent, float(np.mean(scores)) if scores else np.nan))
        doc_terms.append(terms)
    return {
        "tokens": pa.table(tok),
        "sentences": pa.table(sent),
        "mentions": pa.table(ment),
        "docs": doc_rows,
        "terms": doc_terms,
        "sent_stems": sent_stems,
    }


def read_input(path: Path) -> pd.DataFrame:
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    if "text" not in table.columns:
        raise SystemExit(
            f"{path}: no column 'text' (columns: {', '.join(map(str, table.columns))})"
        )
    if "outlet" not in table.columns:
        table["outlet"] = "all"
    if "id" not in table.columns:
        table["id"] = [f"r{i:07d}" for i in range(len(table))]
    table["id"] = table["id"].astype(str)
    table["text"] = table["text"].fillna("").astype(str)
    return table[["id", "text", "outlet"]]


def run(corpus: Path, outdir: Path, workers: int, k: int, supervised: bool) -> dict:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    outdir.mkdir(parents=True, exist_ok=True)
    cfg = load_config()
    table = read_input(corpus)
    digest = [
        hashlib.blake2b(" ".join(t.split()).encode(), digest_size=8).digest() for t in table["text"]
    ]
    keep = ~pd.Series(digest).duplicated().to_numpy()
    table = table[keep].reset_index(drop=True)
    stop_path = REPO / cfg["tokenize"].get("stopwords_file", "config/stopwords_en.txt")
    stopwords = frozenset(
        w.strip().lower()
        for w in stop_path.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    )
    times["read+dedup"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    batches = [
        list(zip(table["id"][i : i + BATCH], table["text"][i : i + BATCH], strict=True))
        for i in range(0, len(table), BATCH)
    ]
    writers: dict[str, pq.ParquetWriter] = {}
    docs, vocab, rows, cols, vals = [], {}, [], [], []
    sample_rng = np.random.default_rng(0)
    sent_sample, sent_sample_frames = [], []
    with Pool(workers, initializer=init_worker, initargs=(stopwords,)) as pool:
        for out in pool.imap(process_batch, batches):
            for name in ("tokens", "sentences", "mentions"):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(outdir / f"{name}.parquet", out[name].schema)
                writers[name].write_table(out[name])
            base = len(docs)
            docs += out["docs"]
            for i, terms in enumerate(out["terms"]):
                for term, c in terms.items():
                    cols.append(vocab.setdefault(term, len(vocab)))
                    rows.append(base + i)
                    vals.append(c)
            if supervised:
                frames = out["sentences"].column("frame").to_pylist()
                pick = np.flatnonzero(sample_rng.random(len(frames)) < 0.05)
                sent_sample += [out["sent_stems"][i] for i in pick]
                sent_sample_frames += [frames[i] for i in pick]
    for w in writers.values():
        w.close()
    times["per-article stages"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    documents = pd.DataFrame(docs, columns=["doc_id", "n_tokens", "n_sentences", "sentiment"])
    documents["outlet"] = table["outlet"].to_numpy()
    sentences = pd.read_parquet(outdir / "sentences.parquet", columns=["doc_id", "frame"])
    framed = sentences[sentences["frame"] != ""]
    frames_docs = framed.groupby(["doc_id", "frame"]).size().rename("sentences").reset_index()
    frames_docs.to_csv(outdir / "frames_documents.csv", index=False)
    mentions = pd.read_parquet(outdir / "mentions.parquet")
    mentions.groupby("actor")["compound"].agg(["size", "mean"]).to_csv(
        outdir / "actor_sentiment.csv"
    )
    terms = sorted(vocab, key=vocab.get)
    counts = sparse.csr_matrix(
        (np.asarray(vals, np.float32), (np.asarray(rows), np.asarray(cols))),
        shape=(len(documents), len(vocab)),
    )
    pd.DataFrame(
        {
            "term": terms,
            "count": np.asarray(counts.sum(axis=0)).ravel(),
            "df": counts.getnnz(axis=0),
        }
    ).sort_values("count", ascending=False).to_csv(outdir / "term_frequencies.csv", index=False)
    times["tables"] = time.perf_counter() - t0

    if supervised and sent_sample:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        t0 = time.perf_counter()
        vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
        x = vec.fit_transform(sent_sample[:50_000])
        y = np.asarray(sent_sample_frames[:50_000])
        if len(set(y)) > 1:
            clf = LinearSVC(random_state=0).fit(x, y)
            labels = []
            for batch in pq.ParquetFile(outdir / "tokens.parquet").iter_batches(
                columns=["doc_id", "sentence", "stem"], batch_size=1_000_000
            ):
                part = batch.to_pandas()
                text = part.groupby(["doc_id", "sentence"], sort=False)["stem"].agg(" ".join)
                labels.append(
                    pd.Series(clf.predict(vec.transform(text.to_numpy())), index=text.index)
                )
            pd.concat(labels).rename("frame").to_frame().to_parquet(
                outdir / "frames_supervised.parquet"
            )
        times["supervised frames"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    from sklearn.decomposition import NMF

    tc = cfg["topics"]
    n = counts.shape[0]
    df = counts.getnnz(axis=0)
    max_df = tc["max_df"] * n if isinstance(tc["max_df"], float) else tc["max_df"]
    ok = np.flatnonzero((df >= tc["min_df"]) & (df <= max_df))
    ok = ok[np.argsort(-df[ok], kind="stable")][: tc["max_features"]]
    ok.sort()
    x = counts[:, ok]
    idf = np.log((1 + n) / (1 + df[ok])) + 1
    x = x.multiply(idf.astype(np.float32)).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    x = sparse.diags(1 / norms) @ x
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(n, size=min(n, 50_000), replace=False))
    k = max(1, min(k, len(ok) - 1, len(sample) - 1))
    model = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=200).fit(x[sample])
    w = model.transform(x)
    top = np.argsort(-model.components_, axis=1)[:, :20]
    vocab_ok = np.asarray(terms, dtype=object)[ok]
    pd.DataFrame(
        {"topic": np.repeat(np.arange(k), top.shape[1]), "term": vocab_ok[top].ravel()}
    ).to_csv(outdir / "topic_terms.csv", index=False)
    share = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    documents["topic"] = share.argmax(axis=1)
    documents.to_csv(outdir / "documents.csv", index=False)
    times["topics"] = time.perf_counter() - t0
    return {"times": times, "articles": n, "tokens": int(documents["n_tokens"].sum()), "k": k}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--k", type=int, default=20, help="number of NMF topics (no grid)")
    parser.add_argument("--supervised", action="store_true", help="TF-IDF + LinearSVC frames")
    args = parser.parse_args()
    result = run(args.corpus, args.outdir, args.workers, args.k, args.supervised)
    print(f"prototype: {result['articles']} articles, {result['tokens']} tokens, K={result['k']}")
    for stage, s in result["times"].items():
        print(f"  {stage:<22}{s:>8.1f} s")


if __name__ == "__main__":
    main()
