"""Column lists of the tables that more than one stage writes or reads.

This module imports nothing, so a rule script can use the lists without loading the code of
another stage (each job is a fresh Python process)."""

#: An article's descriptive columns, in the order of the documents table
#: (``results/tables/documents``): what ``tokens_tokenize`` carries from the clean table.
DOC_COLUMNS = [
    "doc_index",
    "doc_id",
    "title",
    "date",
    "date_precision",
    "author",
    "role",
    "lede",
    "source",
]

#: The clean table (one row per kept article, ``clean`` rule): the descriptive columns, then the
#: text and what deduplication needs (word count, content hash, MinHash signature).
CLEAN_COLUMNS = [*DOC_COLUMNS, "text", "n_words", "content_hash", "minhash"]
