"""The one seam between consult and `nlp/`: texts in, plain results out.

Everything the application asks of the NLP package goes through this module, so the contract
is visible in one place. Nothing here touches the database except through the cache object the
caller hands in.
"""

import hashlib
import importlib.util
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

OFF_STRATEGY = "fuori-strategia"
SECONDARY_MEMBERSHIP = 0.3  # a proposal also belongs to a non-primary theme this likely
IDENTITY_MIN_JACCARD = 0.2  # below this overlap a new theme is a new theme

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ObjectiveInput:
    code: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()


@dataclass
class FittedTheme:
    model_topic: int
    label: str
    keywords: list[str]
    size: int
    representative: list[int]
    members: list[tuple[int, float, bool]]  # (document index, probability, is_primary)
    objectives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class EngineResult:
    themes: list[FittedTheme]
    document_objectives: list[list[tuple[str, float]]]
    corpus_hash: str
    encoder: str
    params: dict[str, Any]
    versions: dict[str, str]
    timings: dict[str, float]


def objective_mapping_available() -> bool:
    """Whether nlp ships its objective mapper yet (ThemeModel imports it lazily)."""
    return importlib.util.find_spec("nlp._objectives") is not None


def supervised_labels_supported() -> bool:
    """Whether nlp's fit accepts planners' confirmed labels for its supervised step."""
    from nlp import ThemeModel

    return "labels" in inspect.signature(ThemeModel.fit).parameters


def build_encoder(name: str) -> Any:
    """The sentence encoder named by CONSULT_EMBEDDINGS."""
    from nlp import get_encoder

    return get_encoder(name)


def encoder_cache_key(encoder: Any) -> str:
    """Cache key of an encoder's vectors; corpus-fitted encoders (LSA) include their state."""
    state = getattr(encoder, "state", None)
    if state is None or not getattr(encoder, "fitted", True):
        return encoder.name
    arrays, _meta = state()
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    return f"{encoder.name}@{digest.hexdigest()[:16]}"


def fit_themes(
    texts: Sequence[str],
    *,
    encoder: Any,
    objectives: Sequence[ObjectiveInput] = (),
    labels: dict[int, str] | None = None,
    cache: Any = None,
    progress: Progress | None = None,
) -> EngineResult:
    """Fit themes (and objective suggestions when nlp offers them) on `texts`."""
    from nlp import ObjectiveSpec, ThemeModel

    specs = [ObjectiveSpec(o.code, o.title, o.description, o.keywords) for o in objectives]
    use_objectives = bool(specs) and objective_mapping_available()
    model = ThemeModel(encoder=encoder, objectives=specs if use_objectives else (), cache=cache)
    kwargs: dict[str, Any] = {"progress": progress}
    supervised = bool(labels) and use_objectives and supervised_labels_supported()
    if supervised:
        kwargs["labels"] = labels
    result = model.fit(list(texts), **kwargs)
    params = {
        **result.run.params,
        "regime": result.run.regime,
        "seed": result.run.seed,
        "n_unique": result.run.n_unique,
        "outlier_share": round(result.outlier_share, 4),
        "objective_mapping": "nlp" if use_objectives else "unavailable",
        "supervised_labels": len(labels or {}) if supervised else 0,
    }
    return EngineResult(
        themes=_themes_of(result),
        document_objectives=[_matches(d.objectives) for d in result.documents],
        corpus_hash=result.run.corpus_hash,
        encoder=result.run.encoder,
        params=params,
        versions=dict(result.run.versions),
        timings={k: round(float(v), 3) for k, v in result.run.timings.items()},
    )


def _matches(matches: Sequence[Any]) -> list[tuple[str, float]]:
    return [(m.code, float(m.confidence)) for m in matches]


def _themes_of(result: Any) -> list[FittedTheme]:
    """Turn nlp themes and per-document probabilities into memberships per theme."""
    members: dict[int, list[tuple[int, float, bool]]] = {t.id: [] for t in result.themes}
    for index, doc in enumerate(result.documents):
        for topic, probability in doc.probabilities:
            is_primary = topic == doc.theme
            if topic in members and (is_primary or probability >= SECONDARY_MEMBERSHIP):
                members[topic].append((index, float(probability), is_primary))
    return [
        FittedTheme(
            model_topic=int(t.id),
            label=t.label,
            keywords=list(t.keywords),
            size=int(t.size),
            representative=[int(i) for i in t.representative_docs],
            members=members[t.id],
            objectives=_matches(t.objectives),
        )
        for t in result.themes
    ]


def match_identities(previous: dict[str, set[int]], current: dict[int, set[int]]) -> dict[int, str]:
    """Pair new themes with previous stable keys by shared proposals (one-to-one).

    nlp's identity matching (by centroids) replaces this once it lands; overlap of member
    proposals is what planners recognise as "the same theme" and needs no stored vectors.
    """
    old_keys, new_ids = list(previous), list(current)
    if not old_keys or not new_ids:
        return {}
    scores = np.zeros((len(new_ids), len(old_keys)))
    for i, topic in enumerate(new_ids):
        for j, key in enumerate(old_keys):
            union = current[topic] | previous[key]
            scores[i, j] = len(current[topic] & previous[key]) / len(union) if union else 0.0
    rows, cols = linear_sum_assignment(-scores)
    return {
        new_ids[r]: old_keys[c]
        for r, c in zip(rows, cols, strict=True)
        if scores[r, c] >= IDENTITY_MIN_JACCARD
    }
