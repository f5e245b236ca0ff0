"""Proposals that say the same thing: for "proposte simili" and moderation merge suggestions.

Lexical for now (character n-gram TF-IDF, robust to typos and inflection); the semantic
near-duplicate search of `nlp/` plugs in here, the only place callers depend on.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ..models import Contribution

MAX_CANDIDATES = 5000


@dataclass(frozen=True)
class SimilarItem:
    contribution: Contribution
    score: float


def similar_contributions(
    db: Session,
    *,
    consultation_id: int,
    text: str,
    statuses: Iterable[str] = ("published",),
    exclude_ids: Iterable[int] = (),
    limit: int = 5,
    min_score: float = 0.25,
) -> list[SimilarItem]:
    """The proposals most similar to `text`, best first, above `min_score` (cosine, 0..1)."""
    text = text.strip()
    if len(text) < 10:
        return []
    excluded = set(exclude_ids)
    query = (
        select(Contribution)
        .where(
            Contribution.consultation_id == consultation_id,
            col(Contribution.status).in_(list(statuses)),
        )
        .order_by(col(Contribution.id).desc())
        .limit(MAX_CANDIDATES)
    )
    candidates = [c for c in db.exec(query).all() if c.id not in excluded]
    if not candidates:
        return []
    scores = lexical_scores(text, [c.text for c in candidates])
    ranked = sorted(zip(candidates, scores, strict=True), key=lambda pair: -pair[1])
    return [SimilarItem(c, float(s)) for c, s in ranked[:limit] if s >= min_score]


def lexical_scores(query: str, texts: list[str]) -> list[float]:
    """Cosine similarity of `query` to each text on character 3-5-grams within words."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True
    )
    matrix = vectorizer.fit_transform([query, *texts])
    return linear_kernel(matrix[0:1], matrix[1:]).ravel().tolist()
