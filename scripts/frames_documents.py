"""Article x frame table of the configured classifier, the corpus frame distribution and its
figures (rule frames_documents)."""

import json
import logging

import pandas as pd
from newslens.codebook import Codebook
from newslens.figures import apply_style, save_figure
from newslens.frames_figures import distribution_figure, position_figure
from newslens.framing import frame_distribution
from newslens.runtime import read_parquet, run, write_table

log = logging.getLogger("newslens")


def main(smk):
    cb = Codebook.from_dict(json.loads(open(smk.input.codebook, encoding="utf-8").read()))
    docs = read_parquet(smk.input.frames)
    wanted = ["doc_id", "title", "date", *smk.params.metadata]
    meta = pd.read_csv(
        smk.input.documents,
        dtype={"doc_id": str},
        keep_default_na=False,
        usecols=lambda c: c in wanted,  # not the ledes and counts
    )
    keep = [c for c in wanted if c in meta.columns]
    docs["doc_id"] = docs["doc_id"].astype(str)
    out = meta[keep].merge(docs, on="doc_id", how="left")
    missing = out["primary_frame"].isna()
    if missing.any():  # kept articles without any sentence: explicitly unframed
        for c in [c for c in out.columns if c.startswith("share_")]:
            out.loc[missing, c] = 0.0
        out.loc[missing, "share_none"] = 1.0
        fallback = cb.residual or "none"
        out.loc[missing, "primary_frame"] = fallback
        out.loc[missing, "labels"] = fallback
    out.insert(1, "classifier", smk.params.classifier)
    write_table(out, smk.output.documents)
    dist = frame_distribution(out, cb)
    write_table(dist, smk.output.distribution)
    names = cb.names()
    apply_style()
    save_figure(
        distribution_figure(dist, f"Frames in the corpus ({smk.params.classifier} classifier)"),
        smk.output.fig_distribution,
        smk.output.fig_distribution_svg,
    )
    positions = pd.read_csv(smk.input.positions)
    save_figure(
        position_figure(positions, names, "Frames through the article", int(smk.params.max_frames)),
        smk.output.fig_position,
        smk.output.fig_position_svg,
    )
    top = dist[dist["frame"] != "none"].sort_values("mean_share", ascending=False).head(3)
    log.info(
        "%d articles; top frames by mean share: %s",
        len(out),
        ", ".join(f"{r.name} {100 * r.mean_share:.1f}%" for r in top.itertuples()),
    )


run(main, snakemake)  # noqa: F821 (injected by the script: directive)
