"""Validation against human frame codes (rule frames_validation): per-frame P/R/F1, micro/macro
F1 and Krippendorff's alpha between classifier and coders, beside the most-frequent-frames
baselines."""

import json
import logging

import joblib
import numpy as np
import pandas as pd
from newslens.codebook import Codebook, Matcher, get_normalizer
from newslens.figures import apply_style, save_figure
from newslens.frames_calibrate import calibrated_predictions, describe_calibration, share_matrix
from newslens.frames_eval import (
    backoff,
    codebook_predictions,
    evaluate,
    is_single_label,
    label_lists_from_column,
    mean_cardinality,
    most_frequent_baseline,
    parse_labels,
    read_any_table,
    to_matrix,
)
from newslens.frames_figures import validation_figure
from newslens.framing import classify_texts
from newslens.runtime import NewslensError, run, write_table

log = logging.getLogger("newslens")


def gold_items(df, cols, labels):
    """Group coder rows into items. Returns item keys, the per-coder label lists (one dict per
    coder: item -> labels) and the first text of each item."""
    item_col = cols["id"] or cols["text"]
    items = list(dict.fromkeys(df[item_col].astype(str)))
    coder = df[cols["coder"]].astype(str) if cols.get("coder") else pd.Series(["gold"] * len(df))
    by_coder = {}
    for it, cd, labs in zip(df[item_col].astype(str), coder, labels, strict=True):
        by_coder.setdefault(cd, {})[it] = labs
    text = (
        df.drop_duplicates(item_col).set_index(df.drop_duplicates(item_col)[item_col].astype(str))[
            cols["text"]
        ]
        if cols.get("text") and cols["text"] in df.columns
        else None
    )
    return items, by_coder, text


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    g = dict(smk.params.options)
    cols = g["columns"]
    df = read_any_table(smk.input.gold, "gold data")
    need = (
        ["labels"]
        + (["id"] if cols.get("id") else ["text"])
        + (["coder"] if cols.get("coder") else [])
    )
    for role in need:
        if cols[role] not in df.columns:
            raise NewslensError(
                f"gold data {smk.input.gold}: no column '{cols[role]}' (config key "
                f"framing.validation.columns.{role}); its columns are: "
                f"{', '.join(map(str, df.columns))}"
            )
    labels, unknown = parse_labels(
        df[cols["labels"]], cb, g["delimiter"], smk.params.unknown_labels, "gold data"
    )
    write_table(unknown, smk.output.unknown)
    items, by_coder, text = gold_items(df, cols, labels)
    coders = sorted(by_coder)
    # consensus: a frame is gold when at least half of the coders of the item chose it
    all_frames = {f for labs in labels for f in labs}
    frames = [k for k in cb.keys if k in all_frames] + sorted(all_frames - set(cb.keys))
    coder_mats = []
    for cd in coders:
        m = np.full((len(items), len(frames)), np.nan)
        for i, it in enumerate(items):
            if it in by_coder[cd]:
                m[i] = to_matrix([by_coder[cd][it]], frames)[0]
        coder_mats.append(m)
    stack = np.stack(coder_mats)
    consensus = (np.nanmean(stack, axis=0) >= 0.5).astype(np.int8)
    gold_lists = [[frames[j] for j in np.flatnonzero(row)] for row in consensus]
    single = (
        is_single_label(gold_lists) if g["label_mode"] == "auto" else g["label_mode"] == "single"
    )
    if single:  # ties between coders: keep the first frame only
        consensus = to_matrix([labs[:1] for labs in gold_lists], frames)
    k = 1 if single else mean_cardinality(consensus)
    preds = {}
    cbp = dict(smk.params.codebook_options)
    if cols.get("id"):
        docs = pd.read_csv(smk.input.frames, dtype={"doc_id": str}, keep_default_na=False)
        docs = docs.set_index("doc_id").reindex(items)
        missing = docs["primary_frame"].isna() | (docs["primary_frame"] == "")
        if missing.all():
            raise NewslensError(
                f"gold data: none of its {len(items)} ids (column '{cols['id']}') is an article "
                "id of the corpus; check framing.validation.columns.id or give a text column"
            )
        if missing.any():
            log.warning(
                "%d gold items are not in the corpus and are scored as unframed", int(missing.sum())
            )
        docs = docs.fillna({"primary_frame": "none", "labels": "none"}).fillna(0.0)
        shares = share_matrix(docs, frames) if any(c.startswith("share_") for c in docs) else None
        name = smk.params.classifier
        if single:
            preds[name] = to_matrix([[p] for p in docs["primary_frame"]], frames)
        else:
            preds[name] = to_matrix(label_lists_from_column(docs["labels"]), frames)
    else:
        texts = [str(text.get(it, "")) for it in items]
        cb_docs = classify_texts(
            items, texts, cb, Matcher(cb), get_normalizer(cb.normalize, cb.language), cbp
        )
        if smk.params.classifier == "supervised":
            bundle = joblib.load(smk.input.model)
            model, mframes = bundle["model"], bundle["frames"]
            y = model.predict(np.asarray(texts, dtype=object))
            lists = [[mframes[j] for j in np.flatnonzero(r)] for r in y]
            if single:
                P = model.predict_proba(np.asarray(texts, dtype=object))
                lists = [[mframes[int(r.argmax())]] for r in P]
            preds["supervised"] = to_matrix(lists, frames)
        preds.update(codebook_predictions(cb_docs, frames, single, k))
        unmatched = (cb_docs["n_framed_sentences"] == 0).to_numpy()
        shares = share_matrix(cb_docs, frames)
    if shares is not None and (smk.params.classifier == "codebook" or not cols.get("id")):
        cal = g.get("calibration", {})
        preds["codebook_calibrated"], fitted = calibrated_predictions(
            shares, consensus, single, int(cal.get("folds", 5)), int(cal.get("seed", 42))
        )
        log.info(
            "codebook_calibrated (all gold items): %s", describe_calibration(frames, fitted, single)
        )
    base1 = most_frequent_baseline(consensus, len(items), 1)
    basek = most_frequent_baseline(consensus, len(items), k)
    if not cols.get("id"):
        preds["codebook_backoff"] = backoff(preds["codebook"], unmatched, basek)
    preds["baseline_most_frequent"] = base1
    if k > 1:
        preds[f"baseline_top{k}_frequent"] = basek
    summary, per_frame = evaluate(consensus, preds, frames, coder_mats, single)
    summary.insert(1, "label_mode", "single" if single else "multi")
    summary.insert(2, "n_coders", len(coders))
    write_table(summary, smk.output.summary)
    write_table(per_frame, smk.output.per_frame)
    for r in summary.itertuples():
        log.info(
            "%-28s micro-F1 %.3f  macro-F1 %.3f  alpha %.3f",
            r.method,
            r.micro_f1,
            r.macro_f1,
            r.alpha_pooled,
        )
    apply_style()
    save_figure(
        validation_figure(
            per_frame, summary, cb.names(), f"Frames against human codes ({len(items)} items)"
        ),
        smk.output.fig,
        smk.output.fig_svg,
    )


run(main, snakemake)
