"""Short theme summaries in which every sentence cites the proposals it comes from.

The default summariser is extractive: it picks the two or three most central, mutually
different sentences (TF-IDF, maximal marginal relevance) of the theme's proposals, so nothing
is invented. An operator running a local language model can plug in another `Summariser`; its
output must obey the same rule (every sentence cites member proposals) or it is discarded.
"""

import logging
import re
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

MAX_SENTENCES = 3
MAX_INPUT_PROPOSALS = 200
MMR_LAMBDA = 0.7
MIN_SENTENCE_CHARS = 20
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

Members = list[tuple[int, str]]  # (proposal id, text)


class Summariser(Protocol):
    def summarise(self, members: Members) -> list[dict[str, Any]]:
        """Return [{"text": sentence, "sources": [proposal ids]}, ...]."""
        ...


class CitationError(ValueError):
    """A summary sentence without citations, or citing proposals outside the theme."""


def validate(summary: list[dict[str, Any]], member_ids: set[int]) -> None:
    """Refuse any sentence that does not cite existing member proposals."""
    for sentence in summary:
        sources = sentence.get("sources") or []
        if not str(sentence.get("text", "")).strip() or not sources:
            raise CitationError("every sentence needs text and at least one citation")
        unknown = set(sources) - member_ids
        if unknown:
            raise CitationError(f"cites proposals outside the theme: {sorted(unknown)}")


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    long_enough = [p for p in parts if len(p) >= MIN_SENTENCE_CHARS]
    return long_enough or parts


class ExtractiveSummariser:
    """Central, non-redundant sentences taken verbatim from the proposals."""

    def summarise(self, members: Members) -> list[dict[str, Any]]:
        sentences, owners = self._sentences(members[:MAX_INPUT_PROPOSALS])
        if not sentences:
            return []
        vectors = self._vectors(sentences)
        chosen = _mmr(vectors, min(MAX_SENTENCES, len(sentences)))
        return [{"text": sentences[i], "sources": sorted(owners[i])} for i in chosen]

    @staticmethod
    def _sentences(members: Members) -> tuple[list[str], list[set[int]]]:
        """Unique sentences with every proposal that contains them."""
        index: dict[str, int] = {}
        sentences: list[str] = []
        owners: list[set[int]] = []
        for proposal_id, text in members:
            for sentence in split_sentences(text):
                key = " ".join(sentence.lower().split())
                if key not in index:
                    index[key] = len(sentences)
                    sentences.append(sentence)
                    owners.append(set())
                owners[index[key]].add(proposal_id)
        return sentences, owners

    @staticmethod
    def _vectors(sentences: list[str]) -> np.ndarray:
        from sklearn.feature_extraction.text import TfidfVectorizer

        try:
            matrix = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)).fit_transform(sentences)
        except ValueError:  # no usable terms at all
            return np.eye(len(sentences))
        return matrix.toarray()


def _mmr(vectors: np.ndarray, k: int) -> list[int]:
    """Pick k rows close to the centroid and far from each other (in reading order of picks)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    centroid = unit.mean(axis=0)
    relevance = unit @ centroid
    similarity = unit @ unit.T
    chosen: list[int] = []
    candidates = list(range(len(unit)))
    while candidates and len(chosen) < k:
        redundancy = (
            similarity[np.ix_(candidates, chosen)].max(axis=1)
            if chosen
            else np.zeros(len(candidates))
        )
        scores = MMR_LAMBDA * relevance[candidates] - (1 - MMR_LAMBDA) * redundancy
        best = candidates[int(np.argmax(scores))]
        chosen.append(best)
        candidates.remove(best)
    return chosen


_default = ExtractiveSummariser()
_active: Summariser = _default


def use(summariser: Summariser | None) -> None:
    """Plug in another summariser (None restores the extractive one)."""
    global _active
    _active = summariser or _default


def summarise(members: Members) -> list[dict[str, Any]]:
    """The theme's cited summary; a plugged-in summariser breaking the citation rule is ignored."""
    if not members:
        return []
    ids = {proposal_id for proposal_id, _text in members}
    if _active is not _default:
        try:
            summary = _active.summarise(members)
            validate(summary, ids)
            return summary
        except Exception:
            log.warning("summariser output refused; using the extractive one", exc_info=True)
    summary = _default.summarise(members)
    validate(summary, ids)
    return summary
