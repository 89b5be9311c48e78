"""Codebook frame classification: sentence scores, paragraph/article aggregation, diagnostics,
actors x frames.

Sentence level: every indicator match (one compiled matcher for the whole codebook, see
``newslens.codebook``) adds its weight to its frame, unless a negation cue stands within
``negation_window`` words before it. A sentence carries frame f when its weighted hits reach
``min_weight`` and at least ``relative_threshold`` x the strongest frame of that sentence
(multi-label). ``score_<f>`` is weighted hits per 100 words (length-normalised).
A sentence's unit of framing is split over its frames in proportion to their hits
(``share_<f>``); a sentence without frames puts its unit on ``share_none``.

Paragraph and article level: shares are the word-weighted mean of sentence shares, so they sum
to 1 with ``share_none``; the primary frame is the frame with the largest share (the codebook's
residual frame, e.g. "Other", or "none" when no frame matched at all), and the article labels
are the frames whose share reaches ``doc_min_share`` (at most ``doc_max_labels``).

The stage's code lives in four modules, one per step, and this module gathers their public
names (import from here):

- ``frames_match``: indicator hits in sentences (the batch matcher and its reference);
- ``frames_score``: sentence frames, paragraph/article aggregation, texts outside the corpus;
- ``frames_merge``: the per-shard tables (hit counts, examples, diagnostics) and their merging;
- ``frames_actors``: actors x frames, counted per shard and summed.
"""

from newslens.codebook import NONE_FRAME
from newslens.frames_actors import (
    MentionedShares,
    MentionIndex,
    ShardActorCounter,
    actor_frame_counts,
    actor_share_counts,
    finish_actor_frames,
    mention_index,
    mentioned_shares,
    merge_actor_counts,
    shard_actor_counts,
    target_actors,
)
from newslens.frames_match import (
    HIT_COLUMNS,
    MATCH_BATCH,
    SEPARATORS,
    STR_DTYPE,
    BatchMatcher,
    LiteralSearch,
    ascii_word_bytes,
    match_sentences,
    match_sentences_reference,
    str_column,
    word_char_table,
)
from newslens.frames_merge import (
    PandasArrow,
    PositionSums,
    arrow_table,
    diagnostics,
    document_batches,
    example_sentences,
    hit_counts,
    merge_examples,
    merge_hit_counts,
    part_batches,
    pieces,
    regex_hit_mask,
    shard_tables,
)
from newslens.frames_score import (
    aggregate,
    classify_sentences,
    classify_texts,
    frame_distribution,
    group_runs,
    group_sums,
    joined_keys,
    sentence_frames,
    share_columns,
    texts_to_sentences,
)

__all__ = [
    "NONE_FRAME",
    "HIT_COLUMNS",
    "SEPARATORS",
    "MATCH_BATCH",
    "word_char_table",
    "ascii_word_bytes",
    "BatchMatcher",
    "LiteralSearch",
    "match_sentences",
    "match_sentences_reference",
    "STR_DTYPE",
    "str_column",
    "texts_to_sentences",
    "sentence_frames",
    "classify_sentences",
    "joined_keys",
    "share_columns",
    "aggregate",
    "group_runs",
    "group_sums",
    "frame_distribution",
    "classify_texts",
    "diagnostics",
    "hit_counts",
    "example_sentences",
    "shard_tables",
    "regex_hit_mask",
    "merge_hit_counts",
    "merge_examples",
    "document_batches",
    "PositionSums",
    "arrow_table",
    "PandasArrow",
    "part_batches",
    "pieces",
    "MentionIndex",
    "mentioned_shares",
    "actor_share_counts",
    "actor_frame_counts",
    "shard_actor_counts",
    "merge_actor_counts",
    "finish_actor_frames",
    "MentionedShares",
    "ShardActorCounter",
    "mention_index",
    "target_actors",
]
