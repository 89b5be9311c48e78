"""Which groups the compare figures draw: with many groups (20 outlets, say) the figures show
the ``compare.figure_groups`` largest groups of each comparison variable (by articles) and say
so in their title; the tables always keep every group."""

from __future__ import annotations

import pandas as pd

from newslens.compare import natural_key


def largest_groups(sizes: pd.DataFrame, max_groups: int | None) -> dict[str, list[str]]:
    """Per comparison variable the ``max_groups`` groups with the most articles (``sizes``:
    variable, group, n_articles, e.g. ``compare_figures.group_sizes``; ties in natural order of
    the group names), in natural order; every group when ``max_groups`` is None or 0, or when a
    variable has no more groups than that."""
    shown = {}
    for var, sub in sizes.groupby("variable", sort=True):
        names = [str(g) for g in sub["group"]]
        order = sorted(
            zip(names, sub["n_articles"].astype(int), strict=True),
            key=lambda t: (-t[1], natural_key(t[0])),
        )
        keep = order if not max_groups else order[:max_groups]
        shown[str(var)] = sorted((g for g, _n in keep), key=natural_key)
    return shown


def keep_groups(
    tab: pd.DataFrame, sizes: pd.DataFrame | None, max_groups: int | None
) -> tuple[pd.DataFrame, str]:
    """``tab`` (rows with variable and group columns) cut to the ``largest_groups`` of
    ``sizes``, and a one-line note for the figure's title naming what was left out (empty when
    every group of ``tab`` is kept). Rows of variables missing from ``sizes`` stay."""
    if not max_groups or sizes is None or tab.empty or sizes.empty:
        return tab, ""
    shown = largest_groups(sizes, max_groups)
    groups = tab["group"].astype(str)
    variables = tab["variable"].astype(str)
    keep = pd.Series(True, index=tab.index)
    parts = []
    for var in sorted(variables.unique()):
        if var not in shown:
            continue
        mine = variables == var
        present = groups[mine].unique()
        kept = [g for g in present if g in set(shown[var])]
        if len(kept) < len(present):
            keep &= ~mine | groups.isin(shown[var])
            parts.append(f"the {len(kept)} largest of {len(present)} {var} groups")
    if not parts:
        return tab, ""
    note = (
        f"shown: {'; '.join(parts)} by articles (compare.figure_groups={max_groups}); "
        "the table has every group"
    )
    return tab[keep.to_numpy()], note


def with_display_names(tab: pd.DataFrame, column: str, names: dict[str, str]) -> pd.DataFrame:
    """``tab`` with the keys in ``column`` replaced by their display names (e.g. frame keys by
    the codebook's names), for a figure; keys without a name stay as they are."""
    if not names or tab.empty or column not in tab:
        return tab
    return tab.assign(**{column: [names.get(str(k), k) for k in tab[column]]})


def group_sizes(groups: pd.DataFrame) -> pd.DataFrame:
    """Articles per variable x group (variable, group, n_articles) from the group labels
    (doc_id + one column per variable; "" = in no group)."""
    rows = [
        (var, g, int(n))
        for var in [c for c in groups.columns if c != "doc_id"]
        for g, n in groups[var].astype(str).value_counts().items()
        if g != ""
    ]
    return pd.DataFrame(rows, columns=["variable", "group", "n_articles"])
