"""Supervised frames: k-fold evaluation on the labeled data (beside the codebook classifier and
the most-frequent-frames baselines), a final model, and the corpus labeled by it
(rule frames_supervised)."""

import json
import logging

import joblib
import numpy as np
import pandas as pd
from newslens.codebook import Codebook, Matcher, get_normalizer
from newslens.figures import apply_style, save_figure
from newslens.frames_eval import (
    backoff,
    codebook_predictions,
    evaluate,
    is_single_label,
    mean_cardinality,
    most_frequent_baseline,
    parse_labels,
    read_any_table,
    to_matrix,
)
from newslens.frames_figures import validation_figure
from newslens.frames_supervised import CodebookScorer, check_labeled, cross_validate, fit_tuned
from newslens.framing import classify_texts
from newslens.runtime import NewslensError, atomic_path, read_parquet, run, write_table

log = logging.getLogger("newslens")


def load_labeled(path, cols, delimiter, cb, unknown, what, key):
    df = read_any_table(path, what)
    for role in ("text", "labels"):
        if cols[role] not in df.columns:
            raise NewslensError(
                f"{what} {path}: no column '{cols[role]}' (config key {key}.columns.{role}); "
                f"its columns are: {', '.join(map(str, df.columns))}"
            )
    texts = df[cols["text"]].fillna("").astype(str).tolist()
    labels, unknown_report = parse_labels(df[cols["labels"]], cb, delimiter, unknown, what)
    return df, texts, labels, unknown_report


def frame_order(cb, label_lists):
    present = {f for labs in label_lists for f in labs}
    return [k for k in cb.keys if k in present] + sorted(present - set(cb.keys))


def resolve_mode(mode, label_lists):
    return is_single_label(label_lists) if mode == "auto" else mode == "single"


def main(smk):
    cb_dict = json.loads(open(smk.input.codebook, encoding="utf-8").read())
    cb = Codebook.from_dict(cb_dict)
    p = {**dict(smk.params.options), "n_jobs": smk.threads}
    cbp = dict(smk.params.codebook_options)
    scorer = CodebookScorer(cb_dict, cbp) if p.get("codebook_features") else None
    df, texts, labels, unknown = load_labeled(
        smk.input.labeled,
        p["columns"],
        p["delimiter"],
        cb,
        smk.params.unknown_labels,
        "labeled data",
        "framing.supervised",
    )
    write_table(unknown, smk.output.unknown)
    if len(unknown):
        log.warning(
            "labels not in the codebook (%s): %s",
            smk.params.unknown_labels,
            ", ".join(unknown["label"]),
        )
    frames = check_labeled(texts, labels)
    frames = frame_order(cb, labels)
    single = resolve_mode(p["label_mode"], labels)
    Y = to_matrix(labels, frames)
    log.info(
        "labeled data: %d rows, %d frames, %s-label; %d-fold CV, C grid %s",
        len(texts),
        len(frames),
        "single" if single else "multi",
        p["folds"],
        p["C_grid"],
    )
    pred, chosen, fold_of = cross_validate(texts, Y, p, single, scorer)
    # baselines from the training folds only
    k = 1 if single else mean_cardinality(Y)
    base1 = np.zeros_like(Y)
    basek = np.zeros_like(Y)
    for f in np.unique(fold_of):
        tr, te = fold_of != f, fold_of == f
        base1[te] = most_frequent_baseline(Y[tr], int(te.sum()), 1)
        basek[te] = most_frequent_baseline(Y[tr], int(te.sum()), k)
    cb_docs = classify_texts(
        [str(i) for i in range(len(texts))],
        texts,
        cb,
        Matcher(cb),
        get_normalizer(cb.normalize, cb.language),
        cbp,
    )
    cb_preds = codebook_predictions(cb_docs, frames, single, k)
    unmatched = (cb_docs["n_framed_sentences"] == 0).to_numpy()
    preds = {
        "supervised": pred,
        **cb_preds,
        "codebook_backoff": backoff(cb_preds["codebook"], unmatched, basek if k > 1 else base1),
        "baseline_most_frequent": base1,
    }
    if k > 1:
        preds[f"baseline_top{k}_frequent"] = basek
    summary, per_frame = evaluate(Y, preds, frames, None, single)
    summary.insert(1, "label_mode", "single" if single else "multi")
    summary.insert(
        2,
        "evaluation",
        [
            f"{p['folds']}-fold CV"
            if m == "supervised"
            else (
                "out-of-fold training frequencies"
                if m.startswith("base")
                else "whole labeled set (no training)"
            )
            for m in summary["method"]
        ],
    )
    summary["settings_per_fold"] = [
        " | ".join(chosen) if m == "supervised" else "" for m in summary["method"]
    ]
    write_table(summary, smk.output.summary)
    write_table(per_frame, smk.output.per_frame)
    write_table(oof_table(preds, Y, frames, fold_of), smk.output.oof)
    for r in summary.itertuples():
        log.info("%-28s micro-F1 %.3f  macro-F1 %.3f", r.method, r.micro_f1, r.macro_f1)
    names = cb.names()
    apply_style()
    save_figure(
        validation_figure(
            per_frame, summary, names, f"Supervised frames: {p['folds']}-fold cross-validation"
        ),
        smk.output.fig,
        smk.output.fig_svg,
    )
    # final model on all labeled rows, then the corpus
    model, chosen_final = fit_tuned(np.asarray(texts, dtype=object), Y, p, single, scorer)
    log.info("final model: %s", chosen_final)
    with atomic_path(smk.output.model) as tmp:
        joblib.dump({"model": model, "frames": frames, "single": single}, tmp)
    parts = []
    for path in smk.input.paragraphs:
        paras = read_parquet(path, columns=["doc_id", "para_id", "text"])
        if paras.empty:
            continue
        docs = (
            paras.sort_values(["doc_id", "para_id"])
            .groupby("doc_id", sort=True)["text"]
            .agg(lambda s: "\n\n".join(s.astype(str)))
        )
        parts.append(label_documents(model, docs.index.tolist(), docs.tolist(), frames, cb))
    cols = [
        "doc_id",
        *[f"share_{f}" for f in frames],
        "share_none",
        *[f"prob_{f}" for f in frames],
        "primary_frame",
        "labels",
    ]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    write_table(out, smk.output.documents)


def oof_table(preds, Y, frames, fold_of):
    """One row per labeled row (0-based ``row``): its fold, gold labels and each method's
    out-of-fold labels (';'-separated frame keys), for paired comparisons of methods."""

    def lists(M):
        return [";".join(frames[j] for j in np.flatnonzero(r)) for r in M]

    out = pd.DataFrame({"row": np.arange(len(Y)), "fold": fold_of, "gold": lists(Y)})
    for m, M in preds.items():
        out[m] = lists(M)
    return out


def label_documents(model, ids, texts, frames, cb):
    """Predicted labels and probabilities; share_<f> spreads each article evenly over its
    predicted frames (so that shares sum to 1 as for the codebook classifier)."""
    P = model.predict_proba(np.asarray(texts, dtype=object))
    Y = model.predict(np.asarray(texts, dtype=object))
    n = Y.sum(axis=1, keepdims=True).clip(min=1)
    out = pd.DataFrame({"doc_id": ids})
    for j, f in enumerate(frames):
        out[f"share_{f}"] = (Y[:, j] / n[:, 0]).round(6)
    out["share_none"] = 0.0
    for j, f in enumerate(frames):
        out[f"prob_{f}"] = P[:, j].round(6)
    order = np.argsort(-P, axis=1, kind="stable")
    out["primary_frame"] = [frames[o[0]] for o in order]
    out["labels"] = [";".join(frames[j] for j in o if Y[i, j]) for i, o in enumerate(order)]
    return out


run(main, snakemake)
