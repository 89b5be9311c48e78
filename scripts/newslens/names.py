"""Display names of frames and topics, shared by the summary and the compare stage.

Light on purpose (pandas only), so every job that names frames or topics can import it without
pulling in the summary's or the figures' imports.
"""

from __future__ import annotations

import pandas as pd


def frame_display_names(distribution: pd.DataFrame) -> dict[str, str]:
    """Frame key -> the name the framing figures and tables show (``frames_distribution.csv``:
    ``frame``, ``name``)."""
    if not {"frame", "name"} <= set(distribution.columns):
        return {}
    pairs = zip(distribution["frame"], distribution["name"], strict=True)
    return {str(k): v for k, v in pairs if isinstance(v, str) and v}


def topic_display_names(summary: pd.DataFrame) -> dict[str, str]:
    """Topic item of the compare tables (``"3: armenia, border"`` or ``topic_3``) -> "Topic 3
    *armenia, border*", as the summary's topic list names it."""
    out = {}
    if not {"topic", "label"} <= set(summary.columns):
        return out
    for topic, label in zip(summary["topic"], summary["label"], strict=True):
        label = label if isinstance(label, str) else ""
        name = f"Topic {topic} *{label}*" if label else f"Topic {topic}"
        out[f"{topic}: {label}"] = out[f"topic_{topic}"] = name
    return out
