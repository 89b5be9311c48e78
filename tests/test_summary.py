"""results/summary.md: numbers drawn from the tables of the seed run."""

import pandas as pd


def test_summary_numbers_come_from_the_tables(seed_run):
    text = (seed_run / "results" / "summary.md").read_text()
    tables = seed_run / "results" / "tables"
    docs = pd.read_csv(tables / "documents.csv")
    assert f"**{len(docs)} article**" in text
    assert f"{docs['n_sentences'].sum()} sentences" in text
    sentiment = pd.read_csv(tables / "sentiment_documents.csv").iloc[0]
    assert f"**{sentiment['mean_compound']:+.2f}**" in text
    actors = pd.read_csv(tables / "sentiment_actors.csv")
    for _, row in actors.loc[(actors["scope"] == "all") & (actors["n_sentences"] > 0)].iterrows():
        assert f"{row['actor']}: {row['mean_compound']:+.2f}" in text
    dist = pd.read_csv(tables / "frames_distribution.csv")
    top = dist.loc[dist["frame"] != "none"].sort_values("mean_share", ascending=False).iloc[0]
    assert f"{top['name']} {100 * top['mean_share']:.0f}%" in text
    topics = pd.read_csv(tables / "topic_summary.csv")
    assert f"{len(topics)} topics" in text
    for label in topics["label"]:
        assert f"*{label}*" in text
    assert "Published: 2022-11-23 (1 of 1 articles dated)" in text
