"""sentiment_actors' merge of the shards' per-article sums (actor_sentences.merged_units),
column by column from Arrow, equals the DataFrame group-by it replaced (the reference below):
the same groups in the order they first appear, each group's rows by doc_rank with ties in
file order, the same values and dtypes."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from newslens.actor_sentences import UNIT_SCHEMA, merged_units
from newslens.sentiment import ActorUnitSums


def reference_merged_units(paths) -> dict:
    t = pa.concat_tables([pq.read_table(p).cast(UNIT_SCHEMA) for p in paths])
    df = t.to_pandas()
    out = {}
    for (actor, scope), u in df.groupby(["actor", "scope"], sort=False, observed=True):
        u = u.iloc[np.argsort(u["doc_rank"].to_numpy(), kind="stable")]
        sums = np.empty((len(u), 4), order="F")
        for c, name in enumerate(ActorUnitSums.COLUMNS[:4]):
            sums[:, c] = u[name].to_numpy(dtype=float)
        out[(actor, scope)] = (
            sums,
            u["size"].to_numpy(dtype=np.int64),
            u["n_mentions"].to_numpy(dtype=np.int64),
        )
    return out


def unit_files(tmp_path, shards: int = 3, rows: int = 400, seed: int = 5) -> list:
    rng = np.random.default_rng(seed)
    paths = []
    for k in range(shards):
        n = rows + 37 * k
        frame = pd.DataFrame(
            {
                "actor": rng.choice(["Russia", "Armenia", "Azerbaijan", "CSTO"], n),
                "scope": rng.choice(["all", "alone"], n),
                "doc_rank": rng.integers(0, 150, n),  # ties inside and across files
                "compound": rng.normal(size=n),
                "is_negative": rng.random(n),
                "is_neutral": rng.random(n),
                "is_positive": rng.random(n),
                "size": rng.integers(1, 9, n),
                "n_mentions": rng.integers(1, 5, n),
            }
        )
        path = tmp_path / f"{k + 1}-of-{shards}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, UNIT_SCHEMA, preserve_index=False), path)
        paths.append(path)
    return paths


def test_merged_units_equal_the_dataframe_group_by(tmp_path):
    paths = unit_files(tmp_path)
    got, want = merged_units(paths), reference_merged_units(paths)
    assert list(got) == list(want) and len(got) == 8
    for key, (sums, size, mentions) in want.items():
        g_sums, g_size, g_mentions = got[key]
        assert g_sums.flags["F_CONTIGUOUS"] and g_sums.dtype == np.float64
        assert np.array_equal(g_sums, sums), key
        assert g_size.dtype == np.int64 and np.array_equal(g_size, size), key
        assert g_mentions.dtype == np.int64 and np.array_equal(g_mentions, mentions), key
    assert sum(len(v[1]) for v in got.values()) == sum(400 + 37 * k for k in range(3))


def test_merged_units_of_empty_tables(tmp_path):
    path = tmp_path / "1-of-1.parquet"
    pq.write_table(UNIT_SCHEMA.empty_table(), path)
    assert merged_units([path]) == {}
