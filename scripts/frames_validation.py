"""Validation against human frame codes (rule frames_validation): every method beside every
baseline, with bootstrap intervals, paired differences to the strongest baseline, per-item
predictions and a verdict. No item is scored by a model that saw it: gold items that are also
labeled items are predicted out of fold (cross-fitting, see newslens.frames_crossfit)."""

import json
import logging
from types import SimpleNamespace

import joblib
import numpy as np
import pandas as pd
from newslens.codebook import NONE_FRAME, Codebook, Matcher, get_normalizer
from newslens.figures import apply_style, save_figure
from newslens.frames_calibrate import calibrated_predictions, describe_calibration, share_matrix
from newslens.frames_crossfit import match_training, predict_crossfitted
from newslens.frames_eval import (
    LINE,
    backoff,
    codebook_predictions,
    coverage_message,
    duplicate_conflicts,
    evaluate,
    is_single_label,
    label_lists_from_column,
    parse_labels,
    read_coded_table,
    text_key,
    to_matrix,
    where,
)
from newslens.frames_figures import validation_figure
from newslens.frames_validity import (
    best_topk,
    bootstrap_table,
    excerpt,
    is_baseline,
    items_table,
    topk_baselines,
    verdict,
)
from newslens.framing import classify_texts
from newslens.preflight import require_column
from newslens.runtime import NewslensError, atomic_path, run, write_table

log = logging.getLogger("newslens")


def gold_items(df, cols, labels):
    """Group rows into items. An item is an id (columns.id), else — with several coders — a
    text (after whitespace/case folding), else a row. The same item coded twice by the same
    coder stays two items (suffix #2, #3, ...), never merged. Returns the item keys (in file
    order), the per-coder label lists (coder -> item -> labels), the first row of each item
    and the base key (id) of each item."""
    if cols.get("id"):
        base = df[cols["id"]].astype(str).tolist()
    elif cols.get("coder"):
        base = [text_key(t) for t in df[cols["text"]]]
    else:
        base = [str(x) for x in df[LINE]]
    coder = df[cols["coder"]].astype(str).tolist() if cols.get("coder") else ["gold"] * len(df)
    seen, keys = {}, []
    for b, c in zip(base, coder, strict=True):
        n = seen.get((b, c), 0) + 1
        seen[(b, c)] = n
        keys.append(b if n == 1 else f"{b}#{n}")
    items = list(dict.fromkeys(keys))
    first = {}
    by_coder = {}
    for row, (it, cd, labs) in enumerate(zip(keys, coder, labels, strict=True)):
        by_coder.setdefault(cd, {})[it] = labs
        first.setdefault(it, row)
    base_of = {it: base[first[it]] for it in items}
    return items, by_coder, first, base_of


def read_gold(smk, cb):
    """The gold file read and grouped into items: labels parsed (unknown labels written and
    reported), duplicates and items coded twice reported, the label mode decided."""
    g = dict(smk.params.options)
    cols = g["columns"]
    gold_path = smk.input.gold
    df = read_coded_table(gold_path, "gold data")
    need = (
        ["labels"]
        + (["id"] if cols.get("id") else ["text"])
        + (["coder"] if cols.get("coder") else [])
    )
    for role in need:
        require_column(
            df.columns.drop(LINE),
            f"framing.validation.columns.{role}",
            cols[role],
            gold_path,
            "framing.validation.gold",
        )
    has_text = bool(cols.get("text")) and cols["text"] in df.columns
    lines = df[LINE].tolist()
    labels, unknown = parse_labels(
        df[cols["labels"]],
        cb,
        g["delimiter"],
        smk.params.unknown_labels,
        f"gold data {gold_path}",
        smk.params.label_map,
        lines,
    )
    write_table(unknown, smk.output.unknown)
    log.info(coverage_message(df[cols["labels"]], unknown, g["delimiter"], "gold data"))
    if has_text:
        ids = df[cols["id"]].astype(str).tolist() if cols.get("id") else None
        for r in duplicate_conflicts(df[cols["text"]].tolist(), labels, lines, ids).itertuples():
            log.warning(
                "gold data: the same text is coded differently on lines %s (%s); kept as "
                "separate items",
                r.lines.replace(";", ", "),
                r.labels,
            )
    items, by_coder, first, base_of = gold_items(df, cols, labels)
    split = [it for it in items if "#" in it and it.split("#")[0] in base_of]
    if split:
        log.warning(
            "gold data: %d item(s) coded more than once by the same coder are kept as separate "
            "items: %s",
            len(split),
            where([lines[first[it]] for it in split]),
        )
    coders = sorted(by_coder)
    gold_frames = {f for labs in labels for f in labs}
    single = is_single_label(labels) if g["label_mode"] == "auto" else g["label_mode"] == "single"
    if single and any(not labs for labs in labels):
        gold_frames.add(NONE_FRAME)
    texts = (
        [str(df[cols["text"]].iloc[first[it]]) for it in items] if has_text else [""] * len(items)
    )
    keys = [text_key(t) for t in texts]
    return SimpleNamespace(
        g=g,
        cols=cols,
        gold_path=gold_path,
        df=df,
        lines=lines,
        labels=labels,
        has_text=has_text,
        items=items,
        by_coder=by_coder,
        first=first,
        base_of=base_of,
        coders=coders,
        gold_frames=gold_frames,
        single=single,
        texts=texts,
        keys=keys,
    )


def corpus_predictions(smk, gold, name):
    """Gold items named by corpus id: the labels the pipeline gave those articles
    (frames_documents), as label lists; an id that is no article is scored as unframed.
    Returns (label lists, evaluation, the articles' shares when the classifier is the codebook)."""
    cols, gold_path, lines, items, first, base_of, single = (
        gold.cols,
        gold.gold_path,
        gold.lines,
        gold.items,
        gold.first,
        gold.base_of,
        gold.single,
    )
    pred_lists, evaluation, shares = {}, {}, None
    docs = pd.read_csv(smk.input.frames, dtype={"doc_id": str}, keep_default_na=False)
    docs = docs.set_index("doc_id").reindex([base_of[it] for it in items])
    missing = docs["primary_frame"].isna() | (docs["primary_frame"] == "")
    if missing.all():
        raise NewslensError(
            f"gold data {gold_path}: none of its {len(items)} ids (column '{cols['id']}') "
            "is an article id of the corpus; check framing.validation.columns.id or give a "
            "text column"
        )
    if missing.any():
        log.warning(
            "%d gold items are not in the corpus and are scored as unframed: %s",
            int(missing.sum()),
            where(
                [lines[first[it]] for it, m in zip(items, missing, strict=True) if m],
                [base_of[it] for it, m in zip(items, missing, strict=True) if m],
            ),
        )
    docs = docs.fillna({"primary_frame": "none", "labels": "none"}).fillna(0.0)
    if name == "codebook":
        shares = docs
    if single:
        pred_lists[name] = [[p] for p in docs["primary_frame"]]
    else:
        pred_lists[name] = label_lists_from_column(docs["labels"])
    evaluation[name] = "held_out" if name == "codebook" else ""
    return pred_lists, evaluation, shares


def supervised_predictions(smk, gold, name, pred_lists, evaluation, how_items):
    """The supervised model and the plain TF-IDF baseline on the gold items (added to
    ``pred_lists``, ``evaluation`` and ``how_items``): gold items that are labeled items are
    predicted out of fold by the model that did not see them."""
    cols, items, base_of, has_text, texts, keys = (
        gold.cols,
        gold.items,
        gold.base_of,
        gold.has_text,
        gold.texts,
        gold.keys,
    )
    bundle = joblib.load(smk.input.model) if "model" in smk.input.keys() else None
    if bundle is not None and has_text:
        ids = [base_of[it] for it in items] if cols.get("id") else None
        match = match_training(keys, ids, bundle["train_keys"], bundle["train_ids"])
        n_cross = int((match >= 0).sum())
        log.info(
            "gold data: %d of %d items are labeled (training) items and are predicted out of "
            "fold (cross-fitted); %d are held out",
            n_cross,
            len(items),
            len(items) - n_cross,
        )
        mframes = bundle["frames"]
        for method, final, folds_models in [
            ("supervised", bundle["model"], bundle["fold_models"]),
            ("baseline_tfidf_lr", bundle["plain_model"], bundle["plain_fold_models"]),
        ]:
            corpus_labels = method == name and cols.get("id")  # scored from frames_documents
            y, how = predict_crossfitted(
                final, folds_models, bundle["train_folds"], match, texts, "predict"
            )
            if method == "supervised" and bundle["single"]:
                P, _ = predict_crossfitted(
                    final, folds_models, bundle["train_folds"], match, texts, "predict_proba"
                )
                y = np.zeros_like(P, dtype=np.int8)
                y[np.arange(len(P)), P.argmax(axis=1)] = 1
            if not corpus_labels:
                pred_lists[method] = [[mframes[j] for j in np.flatnonzero(r)] for r in y]
            how_items[method] = how
            evaluation[method] = (
                "cross_fitted"
                if n_cross == len(items)
                else (
                    "held_out"
                    if n_cross == 0
                    else f"held_out {len(items) - n_cross}, cross_fitted {n_cross}"
                )
            )
    elif bundle is not None and cols.get("id") and name == "supervised":
        match = match_training(
            keys, [base_of[it] for it in items], bundle["train_keys"], bundle["train_ids"]
        )
        n_cross = int((match >= 0).sum())
        evaluation[name] = f"held_out {len(items) - n_cross}, cross_fitted {n_cross}"


def method_predictions(smk, cb, gold):
    """Every method's label lists on the gold items: the configured classifier (corpus labels
    by id, or the codebook on the texts), the supervised model and its baseline. Returns
    (label lists, evaluation, how each item was predicted, the codebook's table of the texts
    or None, the codebook shares for calibration or None)."""
    items, texts = gold.items, gold.texts
    pred_lists, evaluation, how_items = {}, {}, {}
    cbp = dict(smk.params.codebook_options)
    name = smk.params.classifier
    cb_docs = None
    shares = None  # the codebook's per-frame shares of each item (codebook_calibrated)
    if gold.cols.get("id"):
        pred_lists, evaluation, shares = corpus_predictions(smk, gold, name)
    else:
        cb_docs = classify_texts(
            items, texts, cb, Matcher(cb), get_normalizer(cb.normalize, cb.language), cbp
        )
        shares = cb_docs
    supervised_predictions(smk, gold, name, pred_lists, evaluation, how_items)
    return pred_lists, evaluation, how_items, cb_docs, shares


def gold_matrices(cb, gold, pred_lists):
    """The frames scored (gold frames and every frame a method predicts, not 'none'), each
    coder's item x frame matrix and the consensus (frames chosen by at least half the coders)."""
    cols, items, by_coder, coders, gold_frames, single = (
        gold.cols,
        gold.items,
        gold.by_coder,
        gold.coders,
        gold.gold_frames,
        gold.single,
    )
    predicted = {f for lists in pred_lists.values() for labs in lists for f in labs}
    if not cols.get("id"):
        predicted |= set(cb.keys)
    all_frames = gold_frames | (predicted - {NONE_FRAME})
    frames = [k for k in cb.keys if k in all_frames] + sorted(all_frames - set(cb.keys))
    coder_mats = []
    for cd in coders:
        m = np.full((len(items), len(frames)), np.nan)
        for i, it in enumerate(items):
            if it in by_coder[cd]:
                labs = by_coder[cd][it]
                m[i] = to_matrix([labs if labs or not single else [NONE_FRAME]], frames)[0]
        coder_mats.append(m)
    consensus = (np.nanmean(np.stack(coder_mats), axis=0) >= 0.5).astype(np.int8)
    gold_lists = [[frames[j] for j in np.flatnonzero(row)] for row in consensus]
    if single:  # ties between coders: keep the first frame only
        consensus = to_matrix([labs[:1] for labs in gold_lists], frames)
    return frames, coder_mats, consensus


def scored_predictions(gold, frames, consensus, pred_lists, evaluation, cb_docs, shares):
    """Every method's item x frame predictions: the methods' label lists, the codebook's
    variants on texts (top-k, backoff), the calibrated codebook, the frequency baselines (the
    plain TF-IDF baseline last). Adds to ``evaluation`` how each was evaluated."""
    g, items, single = gold.g, gold.items, gold.single
    k = 1 if single else max(1, int(round(float(consensus.sum(axis=1).mean()))))
    preds = {m: to_matrix(lists, frames) for m, lists in pred_lists.items()}
    if cb_docs is not None:
        preds.update(codebook_predictions(cb_docs, frames, single, k))
        evaluation.update({m: "held_out" for m in preds if m.startswith("codebook")})
    if shares is not None:
        cal = g.get("calibration", {})
        preds["codebook_calibrated"], fitted = calibrated_predictions(
            share_matrix(shares, frames),
            consensus,
            single,
            int(cal.get("folds", 5)),
            int(cal.get("seed", 42)),
        )
        evaluation["codebook_calibrated"] = "cross_fitted (thresholds from the other gold folds)"
        log.info(
            "codebook_calibrated (all gold items): %s", describe_calibration(frames, fitted, single)
        )
    baselines = topk_baselines(consensus, len(items))
    if cb_docs is not None:
        unmatched = (cb_docs["n_framed_sentences"] == 0).to_numpy()
        fallback = baselines["baseline_most_frequent" if k == 1 else f"baseline_top{k}_frequent"]
        preds["codebook_backoff"] = backoff(preds["codebook"], unmatched, fallback)
        evaluation["codebook_backoff"] = "held_out"
    preds.update(baselines)
    for m in baselines:
        evaluation[m] = "gold frequencies (prior's upper bound)"
    if "baseline_tfidf_lr" in evaluation:
        preds["baseline_tfidf_lr"] = preds.pop("baseline_tfidf_lr")
    return preds


def write_outputs(smk, cb, gold, frames, coder_mats, consensus, preds, evaluation, how_items):
    """Scores with bootstrap intervals (summary, per frame), per-item predictions, the verdict
    and the figure."""
    g, cols, lines, items, first, base_of, coders, single, texts = (
        gold.g,
        gold.cols,
        gold.lines,
        gold.items,
        gold.first,
        gold.base_of,
        gold.coders,
        gold.single,
        gold.texts,
    )
    summary, per_frame = evaluate(consensus, preds, frames, coder_mats, single)
    boot, boot_frame = bootstrap_table(
        consensus, preds, frames, single, int(g["bootstrap"]), int(g["seed"])
    )
    summary = summary.merge(
        boot.drop(columns=["micro_f1", "macro_f1", "subset_accuracy"]), on="method"
    )
    per_frame = per_frame.merge(
        boot_frame.drop(columns=["support", "f1"]), on=["method", "frame"], how="left"
    )
    summary.insert(1, "label_mode", "single" if single else "multi")
    summary.insert(2, "n_coders", len(coders))
    summary.insert(3, "evaluation", [evaluation.get(m, "") for m in summary["method"]])
    write_table(summary, smk.output.summary)
    write_table(per_frame, smk.output.per_frame)
    item_base = pd.DataFrame(
        {
            "item": [base_of[it] if cols.get("id") else it for it in items],
            "line": [lines[first[it]] for it in items],
            "text": [excerpt(t) for t in texts],
        }
    )
    shown = {m: v for m, v in preds.items() if not m.startswith("baseline_top")}
    table = items_table(item_base, consensus, shown, frames)
    for m, how in how_items.items():
        table[f"evaluation_{m}"] = how
    write_table(table, smk.output.per_item)
    for r in summary.itertuples():
        log.info(
            "%-28s micro-F1 %.3f [%.3f, %.3f]  macro-F1 %.3f [%.3f, %.3f]  alpha %.3f%s",
            r.method,
            r.micro_f1,
            r.micro_f1_lo,
            r.micro_f1_hi,
            r.macro_f1,
            r.macro_f1_lo,
            r.macro_f1_hi,
            r.alpha_pooled,
            "  beats the baselines" if r.beats_baselines else "",
        )
    names = cb.names()
    text = verdict(summary, per_frame, names, single, len(items), evaluation)
    with atomic_path(smk.output.verdict) as tmp:
        tmp.write_text(text, encoding="utf-8")
    log.info("verdict:\n%s", text)
    apply_style()
    save_figure(
        validation_figure(
            *figure_view(summary, per_frame, single), names, figure_title(len(items))
        ),
        smk.output.fig,
        smk.output.fig_svg,
    )


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    gold = read_gold(smk, cb)
    pred_lists, evaluation, how_items, cb_docs, shares = method_predictions(smk, cb, gold)
    frames, coder_mats, consensus = gold_matrices(cb, gold, pred_lists)
    preds = scored_predictions(gold, frames, consensus, pred_lists, evaluation, cb_docs, shares)
    write_outputs(smk, cb, gold, frames, coder_mats, consensus, preds, evaluation, how_items)


def figure_title(n):
    return f"Frames against human codes ({n} items, 95 % bootstrap intervals)"


def figure_view(summary, per_frame, single):
    """The methods, the best top-k baseline and the plain TF-IDF baseline, each method named
    with whether it beats the baselines."""
    metric = "macro_f1" if single else "micro_f1"
    best, _, _ = best_topk(summary, metric)
    keep = [
        m
        for m in summary["method"]
        if not is_baseline(m)
        or m in (best, "baseline_tfidf_lr", summary["strongest_baseline"].iloc[0])
    ]
    rename = {}
    for r in summary.itertuples():
        if not is_baseline(r.method):
            word = "beats baselines" if r.beats_baselines else "does not beat baselines"
            rename[r.method] = f"{r.method} ({word})"
    s = summary[summary["method"].isin(keep)].copy()
    p = per_frame[per_frame["method"].isin(keep)].copy()
    s["method"] = s["method"].replace(rename)
    p["method"] = p["method"].replace(rename)
    return p, s


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
