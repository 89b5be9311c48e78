"""Supervised frames: k-fold evaluation on the labeled data (beside the codebook classifier and
the most-frequent-frames baselines), a final model, and the corpus labeled by it
(rule frames_supervised)."""

import json
import logging
from types import SimpleNamespace

import joblib
import numpy as np
import pandas as pd
from newslens.codebook import NONE_FRAME, Codebook, Matcher, get_normalizer
from newslens.figures import apply_style, save_figure
from newslens.frames_crossfit import (
    cross_fit,
    fit_plain,
    fit_supervised,
    group_folds,
    match_training,
    predict_crossfitted,
)
from newslens.frames_eval import (
    LINE,
    backoff,
    codebook_predictions,
    coverage_message,
    duplicate_conflicts,
    evaluate,
    is_single_label,
    parse_labels,
    read_coded_table,
    text_key,
    to_matrix,
    where,
    with_none,
)
from newslens.frames_figures import validation_figure
from newslens.frames_supervised import CodebookScorer, check_labeled
from newslens.frames_validity import bootstrap_table, excerpt, items_table, topk_baselines
from newslens.framing import classify_texts
from newslens.preflight import require_column
from newslens.runtime import NewslensError, atomic_path, read_parquet, run, write_table

log = logging.getLogger("newslens")


def load_labeled(path, cols, delimiter, cb, unknown, what, key, label_map=None):
    """Read labeled/gold data: the table (with its 1-based file lines in column _line), the
    texts, the label lists and the unknown-label report. Empty texts are refused naming lines;
    texts coded twice differently are reported (and kept as separate items)."""
    df = read_coded_table(path, what)
    id_col = cols.get("id")
    for role in ("text", "labels", "id") if id_col else ("text", "labels"):
        require_column(
            df.columns.drop(LINE), f"{key}.columns.{role}", cols[role], path, f"{key}.labeled"
        )
    texts = df[cols["text"]].fillna("").astype(str).tolist()
    lines = df[LINE].tolist()
    ids = df[id_col].astype(str).tolist() if id_col else None
    empty = [i for i, t in enumerate(texts) if not t.strip()]
    if empty:
        raise NewslensError(
            f"{what} {path}: {len(empty)} item(s) have empty text "
            f"({where([lines[i] for i in empty], [ids[i] for i in empty] if ids else None)}); "
            f"remove them or fill the column '{cols['text']}'"
        )
    labels, unknown_report = parse_labels(
        df[cols["labels"]], cb, delimiter, unknown, f"{what} {path}", label_map, lines
    )
    log.info(coverage_message(df[cols["labels"]], unknown_report, delimiter, what))
    n_none = sum(1 for labs in labels if not labs)
    if n_none:
        log.info("%s: %d of %d items have no frame (empty or 'none')", what, n_none, len(labels))
    dups = duplicate_conflicts(texts, labels, lines, ids)
    for r in dups.itertuples():
        log.warning(
            "%s: the same text is coded differently on lines %s (%s); kept as separate items",
            what,
            r.lines.replace(";", ", "),
            r.labels,
        )
    return df, texts, labels, unknown_report


def frame_order(cb, label_lists):
    present = {f for labs in label_lists for f in labs}
    return [k for k in cb.keys if k in present] + sorted(present - set(cb.keys))


def resolve_mode(mode, label_lists):
    return is_single_label(label_lists) if mode == "auto" else mode == "single"


def read_labeled(smk, cb, p):
    """The labeled data: items, label lists (unknown labels written and reported), the label
    mode, the frames in order, the item x frame matrix and the folds (texts grouped)."""
    df, texts, labels, unknown = load_labeled(
        smk.input.labeled,
        p["columns"],
        p["delimiter"],
        cb,
        smk.params.unknown_labels,
        "labeled data",
        "framing.supervised",
        smk.params.label_map,
    )
    write_table(unknown, smk.output.unknown)
    if len(unknown):
        log.warning(
            "labels not in the codebook (%s): %s",
            smk.params.unknown_labels,
            ", ".join(unknown["label"]),
        )
    single = resolve_mode(p["label_mode"], labels)
    if single:
        labels = with_none(labels)
    check_labeled(texts, [labs or ["none"] for labs in labels])
    frames = frame_order(cb, labels)
    Y = to_matrix(labels, frames)
    folds = group_folds(texts, int(p["folds"]), int(p["seed"]))
    log.info(
        "labeled data: %d items, %d frames, %s-label; %d-fold cross-fitting, C grid %s",
        len(texts),
        len(frames),
        "single" if single else "multi",
        p["folds"],
        p["C_grid"],
    )
    return SimpleNamespace(
        df=df,
        texts=texts,
        labels=labels,
        single=single,
        frames=frames,
        Y=Y,
        folds=folds,
    )


def method_predictions(smk, cb, p, cbp, scorer, lab):
    """Out-of-fold predictions of the supervised model and plain TF-IDF + logistic regression,
    the codebook (and its backoff) and the frequency baselines of the training folds. Returns
    (predictions, fold models, plain fold models, the settings each fold chose)."""
    texts, single, frames, Y, folds = lab.texts, lab.single, lab.frames, lab.Y, lab.folds
    pred, proba, fold_models, chosen = cross_fit(
        lambda X, y: fit_supervised(X, y, p, single, scorer), texts, Y, folds, smk.threads
    )
    plain_pred, _, plain_models, _ = cross_fit(
        lambda X, y: fit_plain(X, y, single, int(p["seed"])), texts, Y, folds
    )
    # frequency baselines from the training folds only
    base = {}
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        for name, y in topk_baselines(Y[tr], int(te.sum())).items():
            base.setdefault(name, np.zeros_like(Y))[te] = y
    cb_docs = classify_texts(
        [str(i) for i in range(len(texts))],
        texts,
        cb,
        Matcher(cb),
        get_normalizer(cb.normalize, cb.language),
        cbp,
    )
    k = 1 if single else max(1, int(round(float(Y.sum(axis=1).mean()))))
    cb_preds = codebook_predictions(cb_docs, frames, single, k)
    unmatched = (cb_docs["n_framed_sentences"] == 0).to_numpy()
    fallback = base["baseline_most_frequent" if k == 1 else f"baseline_top{k}_frequent"]
    preds = {
        "supervised": pred,
        **cb_preds,
        "codebook_backoff": backoff(cb_preds["codebook"], unmatched, fallback),
        "baseline_tfidf_lr": plain_pred,
        **base,
    }
    return preds, fold_models, plain_models, chosen


def score_tables(smk, p, lab, preds, chosen):
    """Scores of every method (summary, per frame) with bootstrap intervals."""
    single, frames, Y = lab.single, lab.frames, lab.Y
    summary, per_frame = evaluate(Y, preds, frames, None, single)
    boot, boot_frame = bootstrap_table(
        Y, preds, frames, single, int(smk.params.bootstrap), int(p["seed"])
    )
    summary = summary.merge(
        boot.drop(columns=["micro_f1", "macro_f1", "subset_accuracy"]), on="method"
    )
    per_frame = per_frame.merge(
        boot_frame.drop(columns=["support", "f1"]), on=["method", "frame"], how="left"
    )
    summary.insert(1, "label_mode", "single" if single else "multi")
    summary.insert(
        2,
        "evaluation",
        [
            "cross_fitted"
            if m in ("supervised", "baseline_tfidf_lr")
            else (
                "cross_fitted (training-fold frequencies)"
                if m.startswith("baseline")
                else "held_out (no training)"
            )
            for m in summary["method"]
        ],
    )
    summary["settings_per_fold"] = [
        " | ".join(chosen) if m == "supervised" else "" for m in summary["method"]
    ]
    return summary, per_frame


def write_scores(smk, cb, p, lab, preds, summary, per_frame):
    """The score tables, per-item and out-of-fold predictions, the log lines and the figure."""
    df, texts, frames, Y, folds = lab.df, lab.texts, lab.frames, lab.Y, lab.folds
    write_table(summary, smk.output.summary)
    write_table(per_frame, smk.output.per_frame)
    id_col = p["columns"].get("id")
    item_base = pd.DataFrame(
        {
            "item": df[id_col].astype(str) if id_col else df[LINE].astype(str),
            "line": df[LINE],
            "fold": folds,
            "text": [excerpt(t) for t in texts],
        }
    )
    shown = {m: v for m, v in preds.items() if not m.startswith("baseline_top")}
    write_table(items_table(item_base, Y, shown, frames), smk.output.per_item)
    write_table(oof_table(preds, Y, frames, folds), smk.output.oof)
    for r in summary.itertuples():
        log.info(
            "%-28s micro-F1 %.3f [%.3f, %.3f]  macro-F1 %.3f [%.3f, %.3f]",
            r.method,
            r.micro_f1,
            r.micro_f1_lo,
            r.micro_f1_hi,
            r.macro_f1,
            r.macro_f1_lo,
            r.macro_f1_hi,
        )
    names = cb.names()
    apply_style()
    fig_methods = [m for m in summary["method"] if not m.startswith("baseline_top")]
    save_figure(
        validation_figure(
            per_frame[per_frame["method"].isin(fig_methods)],
            summary[summary["method"].isin(fig_methods)],
            names,
            f"Supervised frames: {p['folds']}-fold cross-fitting",
        ),
        smk.output.fig,
        smk.output.fig_svg,
    )


def fit_final(smk, p, scorer, lab, fold_models, plain_models):
    """The final models on all labeled items, saved with the fold models (for cross-fitted
    predictions of labeled items elsewhere). Returns the model and the training keys and ids."""
    df, texts, single, frames, Y, folds = (
        lab.df,
        lab.texts,
        lab.single,
        lab.frames,
        lab.Y,
        lab.folds,
    )
    id_col = p["columns"].get("id")
    # final models on all labeled items; the corpus labeled by them, except articles that are
    # labeled items: those get the label of the model of their fold (out of fold)
    model, chosen_final = fit_supervised(texts, Y, p, single, scorer)
    plain_final = fit_plain(texts, Y, single, int(p["seed"]))
    log.info("final model: %s", chosen_final)
    train_keys = [text_key(t) for t in texts]
    train_ids = df[id_col].astype(str).tolist() if id_col else None
    with atomic_path(smk.output.model) as tmp:
        joblib.dump(
            {
                "model": model,
                "frames": frames,
                "single": single,
                "fold_models": fold_models,
                "plain_model": plain_final,
                "plain_fold_models": plain_models,
                "train_keys": train_keys,
                "train_ids": train_ids,
                "train_folds": folds,
            },
            tmp,
        )
    return model, train_keys, train_ids


def label_corpus(smk, cb, p, lab, model, fold_models, train_keys, train_ids):
    """The corpus labeled by the final model, except articles that are labeled items: those
    get the label of the model of their fold (out of fold)."""
    frames, folds = lab.frames, lab.folds
    id_col = p["columns"].get("id")
    parts, n_cross = [], 0
    for path in smk.input.paragraphs:
        paras = read_parquet(path, columns=["doc_id", "para_id", "text"])
        if paras.empty:
            continue
        docs = (
            paras.sort_values(["doc_id", "para_id"])
            .groupby("doc_id", sort=True)["text"]
            .agg(lambda s: "\n\n".join(s.astype(str)))
        )
        ids = docs.index.astype(str).tolist()
        match = match_training(
            [text_key(t) for t in docs.tolist()], ids if id_col else None, train_keys, train_ids
        )
        n_cross += int((match >= 0).sum())
        parts.append(
            label_documents(
                CrossFitted(model, fold_models, folds, match), ids, docs.tolist(), frames, cb
            )
        )
    log.info("corpus: %d articles are labeled items and got their out-of-fold labels", n_cross)
    cols = [
        "doc_id",
        *[f"share_{f}" for f in frames if f != NONE_FRAME],
        "share_none",
        *[f"prob_{f}" for f in frames],
        "primary_frame",
        "labels",
    ]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    write_table(out, smk.output.documents)


def main(smk):
    cb_dict = json.loads(open(smk.input.codebook, encoding="utf-8").read())
    cb = Codebook.from_dict(cb_dict)
    p = {**dict(smk.params.options), "n_jobs": smk.threads}
    cbp = dict(smk.params.codebook_options)
    # the codebook's per-frame shares as extra features (framing.supervised.codebook_features)
    scorer = CodebookScorer(cb_dict, cbp) if p.get("codebook_features") else None
    lab = read_labeled(smk, cb, p)
    preds, fold_models, plain_models, chosen = method_predictions(smk, cb, p, cbp, scorer, lab)
    summary, per_frame = score_tables(smk, p, lab, preds, chosen)
    write_scores(smk, cb, p, lab, preds, summary, per_frame)
    model, train_keys, train_ids = fit_final(smk, p, scorer, lab, fold_models, plain_models)
    label_corpus(smk, cb, p, lab, model, fold_models, train_keys, train_ids)


def oof_table(preds, Y, frames, fold_of):
    """One row per labeled row (0-based ``row``): its fold, gold labels and each method's
    out-of-fold labels (';'-separated frame keys), for paired comparisons of methods
    (benchmarks/bench_frames_supervised.py)."""

    def lists(M):
        return [";".join(frames[j] for j in np.flatnonzero(r)) for r in M]

    out = pd.DataFrame({"row": np.arange(len(Y)), "fold": fold_of, "gold": lists(Y)})
    for m, M in preds.items():
        out[m] = lists(M)
    return out


class CrossFitted:
    """The final model, except for the items that are labeled items (match >= 0): those are
    predicted by the model of their fold."""

    def __init__(self, final, fold_models, folds, match):
        self.args = (final, fold_models, folds, match)

    def predict_proba(self, texts):
        return predict_crossfitted(*self.args, texts, "predict_proba")[0]

    def predict(self, texts):
        return predict_crossfitted(*self.args, texts, "predict")[0]


def label_documents(model, ids, texts, frames, cb):
    """Predicted labels and probabilities; share_<f> spreads each article evenly over its
    predicted frames (so that shares sum to 1 as for the codebook classifier)."""
    P = model.predict_proba(np.asarray(texts, dtype=object))
    Y = model.predict(np.asarray(texts, dtype=object))
    n = Y.sum(axis=1, keepdims=True).clip(min=1)
    out = pd.DataFrame({"doc_id": ids})
    for j, f in enumerate(frames):
        out[f"share_{f}"] = (Y[:, j] / n[:, 0]).round(6)
    if NONE_FRAME not in frames:  # single-label data with unframed items have a 'none' class
        out["share_none"] = 0.0
    for j, f in enumerate(frames):
        out[f"prob_{f}"] = P[:, j].round(6)
    order = np.argsort(-P, axis=1, kind="stable")
    out["primary_frame"] = [frames[o[0]] for o in order]
    out["labels"] = [";".join(frames[j] for j in o if Y[i, j]) for i, o in enumerate(order)]
    return out


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
