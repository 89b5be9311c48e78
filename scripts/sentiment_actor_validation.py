"""Actor validation (rule sentiment_actor_validation): gold (doc_id, actor, label or rating)
-> macro-F1, accuracy, Cohen's kappa and per-class precision/recall/F1 with seeded bootstrap
intervals, for the lexicon score (the configured method), the article's tone, the majority
class and -- with the supervised option -- the classifier; and the per-item table.

No leakage: a gold item that is also in the supervised training file is scored by the model
of the cross-validation fold that did not see it (cross-fitting); other items by the model
trained on the whole training file."""

import pickle

import numpy as np
import pandas as pd
from newslens.actor_sentiment import (
    agreement_with_ci,
    coded_pairs,
    feature_table,
    join_coded_to_corpus,
    predict_actor,
)
from newslens.runtime import log, read_parquet, run, write_table
from newslens.sentiment import label_compound
from newslens.sentiment_eval import read_table_file

KEY = "sentiment.actor_validation"


def main(smk):
    cfg, boot = smk.params.validation, smk.params.bootstrap
    th = smk.params.scores["thresholds"]
    pairs = pd.read_csv(smk.input.pairs, dtype={"doc_id": str, "actor": str})
    docs = pd.read_csv(smk.input.documents, dtype={"doc_id": str})
    docs = docs.rename(columns={"mean_compound": "compound"})
    gold = coded_pairs(read_table_file(smk.input.gold, f"{KEY}.file"), cfg, smk.input.gold, KEY)
    items, status = join_coded_to_corpus(
        gold,
        pairs,
        docs,
        smk.input.gold,
        KEY,
        "gold",
        "they are listed in the item table and left out of the scores",
    )
    lost = status[status["status"] == "article_not_in_corpus"]
    never = items["status"] == "never_named"
    items.loc[never, "score"] = items.loc[never, "article_compound"]
    items["label_lexicon"] = label_compound(items["score"], th["negative"], th["positive"])
    items["label_article"] = label_compound(
        items["article_compound"], th["negative"], th["positive"]
    )
    majority = items["label"].value_counts().idxmax()
    methods = {"lexicon": "label_lexicon", "article_tone": "label_article"}
    if smk.input.get("model"):
        with open(smk.input.model, "rb") as fh:
            model = pickle.load(fh)
        parts = [read_parquet(p) for p in smk.input.contexts]
        parts = [p for p in parts if len(p)]
        contexts = pd.concat(parts, ignore_index=True) if parts else None
        pred = predict_actor(model, feature_table(items, contexts))
        cv = pd.read_csv(smk.input.cv, dtype={"doc_id": str, "actor": str})
        cv = cv.set_index(["doc_id", "actor"])
        key = pd.MultiIndex.from_frame(items[["doc_id", "actor"]])
        in_train = key.isin(cv.index)
        items["supervised_source"] = np.where(in_train, "out_of_fold", "trained_model")
        for col in ("label", "prob_negative", "prob_neutral", "prob_positive"):
            oof = cv[f"cv_{col}"].reindex(key).to_numpy()
            items[f"supervised_{col}"] = np.where(in_train, oof, pred[col].to_numpy())
        methods["supervised"] = "supervised_label"
        majority = pd.read_csv(smk.input.cv)["gold"].value_counts().idxmax()
        log.info(
            "%d of %d gold items are in the training file: scored out of fold",
            int(in_train.sum()),
            len(items),
        )
    items["label_majority"] = majority
    methods["majority_class"] = "label_majority"
    rows = []
    for name, col in methods.items():
        t = agreement_with_ci(
            items["label"], items[col], boot["resamples"], boot["seed"], boot["confidence"]
        )
        t.insert(0, "method", name)
        rows.append(t)
    if "rating" in items:
        from newslens.sentiment_eval import correlation_row

        for name, col in (("lexicon", "score"), ("article_tone", "article_compound")):
            r = correlation_row(items[col], items["rating"], "pearson", boot["confidence"])
            rows.append(
                pd.DataFrame(
                    [
                        {
                            "method": name,
                            "statistic": "pearson",
                            "estimate": r["r"],
                            "ci_low": r["ci_low"],
                            "ci_high": r["ci_high"],
                            "n_items": len(items),
                        }
                    ]
                )
            )
    metrics = pd.concat(rows, ignore_index=True)
    write_table(metrics.round(4), smk.output.metrics)
    items = items.rename(columns={"label": "gold", "score": "lexicon_score"})
    keep = [c for c in items.columns if c not in ("window_compound", "distance_compound")]
    table = pd.concat([items[keep], lost.assign(gold=None)], ignore_index=True)
    write_table(table.round(4), smk.output.per_item)
    for name in methods:
        m = metrics[(metrics.method == name) & (metrics.statistic == "macro_f1")].iloc[0]
        log.info("%s: macro-F1 %.3f [%.3f, %.3f]", name, m.estimate, m.ci_low, m.ci_high)


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
