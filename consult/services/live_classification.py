"""Which objective a live proposal is about, for the projector's per-objective counters.

This is the one seam for the incremental assignment by the current theme model of `nlp/`: it
will replace the body of `objective_for` (keeping its signature) to classify a new text against
the latest fitted model. Until then the only signal is the objective the author suggested, which
callers pass in; a confirmed ObjectiveMapping, when present, wins over both (see
`live_sessions.objective_counts`).
"""


def objective_for(text: str, suggested_code: str | None = None) -> tuple[str, float] | None:
    """The objective code of `text` with a confidence in 0..1, or None when unknown."""
    if suggested_code:
        return suggested_code, 1.0
    return None
