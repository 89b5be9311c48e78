"""Topic modelling: document-term matrix from the token tables, NMF / LDA fits, choosing K.

The unit of analysis is an article or a paragraph. The code lives in one module per seam, all
re-exported here (``from newslens import topics as tp; tp.fit_grid(...)``):

* ``topics_matrix``: units, term codes and counts per shard, vocabulary, document-term matrix,
  TF-IDF;
* ``topics_models``: NMF / LDA estimators, fitting, transforming, topic shares;
* ``topics_measures``: top terms, NPMI coherence, diversity, agreement and stability;
* ``topics_grid``: the K grid (reference and subsample fits) and the rules that choose K;
* ``topics_select``: the topic_model job (grid, choice of K, final fit, selection and
  validation tables);
* ``topics_validation``: dominant topics against known categories;
* ``topics_tables``: per-topic and per-unit tables, topics by metadata, the topic network.

Every function is pure: it takes DataFrames, arrays or sparse matrices and returns new ones; the
entry scripts (``scripts/topics_*.py``) read and write the files (``topics_select`` writes the
topic_model job's outputs through ``newslens.runtime``).

Measures (all computed on the modelling units themselves, never on an outside corpus):

* **NPMI coherence** of a topic = mean normalised pointwise mutual information over all pairs
  of its top ``n`` words, with probabilities from *document co-occurrence*: P(w) = share of
  units containing w, P(w1, w2) = share of units containing both. NPMI =
  log(P(w1,w2) / (P(w1) P(w2))) / -log P(w1,w2). A pair that never co-occurs gets -1 (the limit
  as P(w1,w2) -> 0; no epsilon is added), a pair present in every unit gets 1.
* **Topic diversity** (Dieng et al. 2020) = unique words among all topics' top 25 / (K * 25).
* **Stability** (Greene, O'Callaghan & Cunningham 2014, "How Many Topics? Stability Analysis
  for Topic Models"): for each K a *reference* fit on all grid units and tau fits on random
  subsamples (a share ``beta`` of the units, one per seed). Two topics' top-t term rankings
  agree by their Average Jaccard over ranking depths, AJ(R_i, R_j) = (1/t) sum_{d=1..t}
  |R_i@d & R_j@d| / |R_i@d | R_j@d|; two fits agree by agreement(S_x, S_y) = (1/K) sum of AJ over
  topic pairs matched one-to-one by the Hungarian algorithm (maximum total AJ). The stability
  of K is the mean agreement of the reference with the tau subsample fits.
"""

from newslens.topics_grid import (  # noqa: F401
    GRID_COLUMNS,
    K_RULES,
    Fit,
    add_coherence,
    fit_grid,
    fit_one,
    grid_jobs,
    grid_table,
    k_table,
    select_k,
    subsample_rows,
    usable_ks,
)
from newslens.topics_matrix import (  # noqa: F401
    UNIT_TYPES,
    ShardCounter,
    arrow_unit_term_codes,
    choose_unit,
    kept_lengths,
    merge_term_stats,
    place_rows,
    restrict_columns,
    select_vocabulary,
    shard_matrix,
    shard_term_table,
    sum_term_stats,
    tfidf,
    token_columns,
    unit_ids,
    unit_index,
    unit_term_codes,
    unit_terms,
    whole_articles,
)
from newslens.topics_measures import (  # noqa: F401
    agreement,
    aj_matrix,
    average_jaccard,
    cooccurrence,
    dominant_topic,
    match_overlap,
    nmi,
    npmi,
    npmi_coherence,
    npmi_from_cooccurrence,
    pair_cooccurrence,
    reference_stability,
    stability,
    top_terms,
    topic_coherences,
    topic_diversity,
    topic_pairs,
)
from newslens.topics_models import (  # noqa: F401
    MODELS,
    fit_model,
    make_model,
    mixture,
    model_input,
    transform,
)
from newslens.topics_tables import (  # noqa: F401
    articles_table,
    documents_table,
    metadata_columns,
    prevalence_by,
    representatives,
    snippet,
    summary_table,
    terms_table,
    topic_labels,
    topic_network,
)
from newslens.topics_validation import (  # noqa: F401
    topic_purity,
    validation_scores,
)
