"""A faster encoder's view of the same themes, for assigning single texts while people wait.

The themes, their members and the objectives stay those of the main fit; only the space
changes: centroids are recomputed from the same members in the fast encoder's space, and an
objective mapper is calibrated (and taught the same confirmed labels) there. bench/nlp_assign.py
measures how often it agrees with the main model and how fast it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._embeddings import encode_cached

__all__ = ["fit_fast_head"]


def fit_fast_head(
    main: Any, texts: list[str], topics: np.ndarray, labels: dict[int, str], rows: np.ndarray
) -> Any:
    """Return a ThemeModel over `main`'s themes in the space of `main.fast_encoder`.

    `texts` are the unique texts of the fit, `topics` their themes, `labels` the confirmed
    objective codes by original index and `rows` the unique row of every original index.
    """
    from ._objectives import ObjectiveMapper

    fast = type(main)(encoder=main.fast_encoder, seed=main.seed, objectives=main.objectives)
    vectors = encode_cached(fast.encoder, texts, main.cache)
    fast.set_themes(vectors, topics, main.theme_ids)
    if main.objectives:
        fast.mapper = ObjectiveMapper(main.objectives, encoder=fast.encoder, cache=main.cache)
        fast.mapper.calibrate(vectors)
        if labels:
            order = sorted(labels)
            fast.supervised = fast.mapper.fit_labels(
                vectors[rows[order]], [labels[i] for i in order]
            )
    return fast
