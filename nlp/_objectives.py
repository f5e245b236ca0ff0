"""Map texts and themes to framework objectives: zero-shot prior plus confirmed labels."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ._embeddings import EmbeddingCache, Encoder, encode_cached
from .types import OFF_STRATEGY, ObjectiveMatch, ObjectiveSpec

__all__ = ["OFF_TOPICS", "ObjectiveMapper"]

log = logging.getLogger(__name__)

# Generic municipal matters outside a welfare strategy: the "unrelated" reference that
# calibrates each encoder's similarity scale and competes as fuori-strategia.
OFF_TOPICS = (
    "manutenzione delle strade, buche nell'asfalto e marciapiedi rotti",
    "parcheggi, traffico e viabilità",
    "orari e linee degli autobus e del trasporto pubblico",
    "impianti sportivi, palestre e campi da gioco",
    "connessione internet e wifi pubblico",
    "raccolta dei rifiuti e pulizia delle strade",
    "illuminazione pubblica e lampioni",
    "verde pubblico, parchi, alberi e panchine",
    "eventi culturali, feste, turismo e commercio",
    "sicurezza urbana, polizia locale e telecamere",
    "animali domestici e aree per cani",
    "tasse locali e tributi comunali",
    "piste ciclabili e mobilità sostenibile",
    "rumore e vita notturna",
    "urbanistica, cantieri e lavori pubblici",
)
MIN_LABELS = 2


def _prototypes(spec: ObjectiveSpec) -> list[str]:
    """Return the texts that describe one objective."""
    texts = [spec.title, f"{spec.title}. {spec.description}".strip()]
    if spec.keywords:
        texts.append(f"{spec.title}: {', '.join(spec.keywords)}")
        texts.extend(spec.keywords)
    return texts


class ObjectiveMapper:
    """Suggest 0..n objectives per text, or fuori-strategia when none fits."""

    def __init__(
        self,
        objectives: Sequence[ObjectiveSpec],
        *,
        encoder: Encoder,
        off_topics: Sequence[str] = OFF_TOPICS,
        off_margin: float = 1.0,
        secondary_margin: float = 0.15,
        floor: float = -0.5,
        cache: EmbeddingCache | None = None,
    ) -> None:
        if not objectives:
            raise ValueError("ObjectiveMapper needs at least one objective")
        self.specs = list(objectives)
        self.codes = [o.code for o in self.specs]
        self.encoder = encoder
        self.off_margin = off_margin
        self.secondary_margin = secondary_margin
        self.floor = floor
        protos = [_prototypes(o) for o in self.specs]
        protos.append(list(off_topics) or ["fuori strategia"])
        self.owner = np.repeat(np.arange(len(protos)), [len(p) for p in protos])
        self.proto_vectors = encode_cached(encoder, [t for p in protos for t in p], cache)
        self.classifier: dict[str, np.ndarray] | None = None
        self.n_labels = 0
        self.calibrate(self.proto_vectors)

    def _scores(self, vectors: np.ndarray) -> np.ndarray:
        """Return (n, m+1) raw similarity to each objective and to fuori-strategia (last)."""
        sims = vectors @ self.proto_vectors.T
        out = np.empty((len(vectors), len(self.codes) + 1), dtype=np.float32)
        for j in range(len(self.codes) + 1):
            cols = sims[:, self.owner == j]
            out[:, j] = 0.5 * cols.mean(axis=1) + 0.5 * cols.max(axis=1)
        return out

    def calibrate(self, vectors: np.ndarray) -> None:
        """Centre each class on its median similarity over a corpus; scale by the spread."""
        raw = self._scores(np.asarray(vectors, dtype=np.float32))
        if len(raw) < 10:
            log.info("objective calibration skipped: only %d texts", len(raw))
            return
        self.bias = np.median(raw, axis=0)
        self.scale = float(max(np.std(raw - self.bias), 1e-3))

    def zscores(self, vectors: np.ndarray) -> np.ndarray:
        """Return calibrated (n, m+1) scores: objectives then fuori-strategia."""
        z = (self._scores(vectors) - self.bias) / self.scale
        z[:, -1] -= self.off_margin
        best = z[:, :-1].max(axis=1)
        low = best < self.floor
        z[low, -1] = np.maximum(z[low, -1], best[low] + 0.5)
        return z

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Return (n, m+1) confidences over objectives plus fuori-strategia (last)."""
        z = self.zscores(vectors)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        prior = e / e.sum(axis=1, keepdims=True)
        if self.classifier is None:
            return prior
        learned = self._predict_learned(vectors)
        alpha = self.n_labels / (self.n_labels + 20.0)
        return alpha * learned + (1 - alpha) * prior

    def match_vectors(self, vectors: np.ndarray) -> list[list[ObjectiveMatch]]:
        """Return objectives per vector, best first; fuori-strategia when none fits."""
        probs = self.probabilities(np.asarray(vectors, dtype=np.float32))
        return [self._decide(row) for row in probs]

    def match(self, texts: Sequence[str]) -> list[list[ObjectiveMatch]]:
        """Encode texts and return their objectives."""
        return self.match_vectors(self.encoder.encode(list(texts)))

    def _decide(self, row: np.ndarray) -> list[ObjectiveMatch]:
        """Turn one probability row into 0..n objective matches."""
        best = int(np.argmax(row))
        if best == len(self.codes):
            return [ObjectiveMatch(OFF_STRATEGY, round(float(row[best]), 4))]
        cut = row[best] * float(np.exp(-self.secondary_margin))
        order = np.argsort(-row[:-1])[:3]
        return [
            ObjectiveMatch(self.codes[j], round(float(row[j]), 4))
            for j in order
            if row[j] >= cut and row[j] > row[-1]
        ]

    def fit_labels(self, vectors: np.ndarray, labels: Sequence[str]) -> bool:
        """Learn from planner-confirmed labels once each objective has enough; tell if used."""
        counts = Counter(labels)
        if any(counts[c] < MIN_LABELS for c in self.codes):
            log.info("objective classifier: not enough labels yet %s", dict(counts))
            return False
        classes = [*self.codes, OFF_STRATEGY]
        known = [i for i, lab in enumerate(labels) if lab in classes]
        vectors = np.asarray(vectors, dtype=np.float32)[known]
        y = np.array([classes.index(labels[i]) for i in known])
        if len(set(y.tolist())) < 2:
            log.info("objective classifier: one class only %s", dict(counts))
            return False
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced")
        model.fit(vectors, y)
        coef = np.zeros((len(classes), vectors.shape[1]), dtype=np.float32)
        bias = np.full(len(classes), -1e4, dtype=np.float32)
        seen = model.classes_
        if len(seen) == 2:
            # Binary fit: one logit w.x + b; softmax over (-z/2, z/2) equals its sigmoid.
            coef[seen] = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
            bias[seen] = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
        else:
            coef[seen], bias[seen] = model.coef_, model.intercept_
        self.classifier = {"coef": coef, "bias": bias}
        self.n_labels = len(known)
        return True

    def _predict_learned(self, vectors: np.ndarray) -> np.ndarray:
        """Return classifier probabilities over objectives plus fuori-strategia."""
        assert self.classifier is not None
        logits = vectors @ self.classifier["coef"].T + self.classifier["bias"]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def state(self) -> tuple[dict[str, np.ndarray], dict]:
        """Return arrays and JSON metadata that recreate this mapper."""
        arrays = {
            "obj_prototypes": self.proto_vectors,
            "obj_owner": self.owner.astype(np.int64),
            "obj_bias": np.asarray(self.bias, dtype=np.float32),
        }
        if self.classifier is not None:
            arrays |= {"clf_coef": self.classifier["coef"], "clf_bias": self.classifier["bias"]}
        meta = {
            "objectives": [
                {
                    "code": o.code,
                    "title": o.title,
                    "description": o.description,
                    "keywords": list(o.keywords),
                }
                for o in self.specs
            ],
            "scale": self.scale,
            "off_margin": self.off_margin,
            "secondary_margin": self.secondary_margin,
            "n_labels": self.n_labels,
            "floor": self.floor,
        }
        return arrays, meta

    @classmethod
    def from_state(cls, arrays: dict, meta: dict, *, encoder: Encoder) -> ObjectiveMapper:
        """Rebuild a mapper saved with state() without re-encoding anything."""
        self = cls.__new__(cls)
        self.specs = [
            ObjectiveSpec(o["code"], o["title"], o["description"], tuple(o["keywords"]))
            for o in meta["objectives"]
        ]
        self.codes = [o.code for o in self.specs]
        self.encoder = encoder
        self.off_margin = meta["off_margin"]
        self.secondary_margin = meta["secondary_margin"]
        self.floor = meta.get("floor", -0.5)
        self.proto_vectors = arrays["obj_prototypes"]
        self.owner = arrays["obj_owner"]
        self.bias = arrays["obj_bias"]
        self.scale = meta["scale"]
        self.n_labels = meta["n_labels"]
        self.classifier = None
        if "clf_coef" in arrays:
            self.classifier = {"coef": arrays["clf_coef"], "bias": arrays["clf_bias"]}
        return self
