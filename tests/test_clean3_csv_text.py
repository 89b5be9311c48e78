"""csv_text's one float method (the millionths) prints every value as pandas does: all 20,001
4-decimal values in [-1, 1] (the sentiment scores, once printed from a table of their own),
6-decimal shares, and any bit pattern."""

import numpy as np
import pandas as pd
import pyarrow as pa
from newslens.csv_text import csv_text, float_text


def pandas_text(values: np.ndarray) -> list[str]:
    return ["" if v != v else str(v) for v in values.tolist()]


def test_every_four_decimal_value_prints_as_numpy():
    values = np.arange(-10_000, 10_001) / 10_000
    assert float_text(values).to_pylist() == values.astype(str).tolist()
    assert float_text(values).to_pylist()[:3] == ["-1.0", "-0.9999", "-0.9998"]


def test_mixed_columns_and_bit_patterns_print_as_numpy():
    rng = np.random.default_rng(3)
    four = np.round(rng.uniform(-1, 1, 5000), 4)
    four[::10] = np.nan
    six = np.round(rng.uniform(0, 1, 5000), 6)
    bits = rng.integers(0, 2**63, 5000, dtype=np.int64).view(np.float64)
    odd = np.array([0.0, -0.0, np.inf, -np.inf, 1e-5, 1e-4, 999_999_999.5, 1e9, 1e16, 5e-324])
    for values in (four, six, bits, odd, np.concatenate([four, six, bits, odd])):
        assert float_text(values).to_pylist() == pandas_text(values)


def test_csv_rows_of_score_columns_equal_pandas():
    rng = np.random.default_rng(4)
    score = np.round(rng.uniform(-1, 1, 3000), 4)
    score[::7] = np.nan
    table = pa.table(
        {"doc_id": [f"d{i}" for i in range(3000)], "score": score, "n": np.arange(3000)}
    )
    expected = table.to_pandas().to_csv(header=False, index=False, lineterminator="\n").encode()
    assert csv_text(table) == expected
    df = pd.DataFrame({"share": np.round(rng.uniform(0, 1, 100), 6), "score": score[:100]})
    assert csv_text(df) == df.to_csv(header=False, index=False, lineterminator="\n").encode()
