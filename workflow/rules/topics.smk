# topics stage: see the README. Filled in by its issue.
