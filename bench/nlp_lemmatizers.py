"""Compare spaCy's lookup lemmatiser with simplemma on hand-made Italian domain gold.

python bench/nlp_lemmatizers.py
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

GOLD = {
    "servizi": "servizio",
    "regolamenti": "regolamento",
    "fondi": "fondo",
    "minori": "minore",
    "famiglie": "famiglia",
    "anziani": "anziano",
    "alloggi": "alloggio",
    "affitti": "affitto",
    "sfratti": "sfratto",
    "case": "casa",
    "disabili": "disabile",
    "genitori": "genitore",
    "bambini": "bambino",
    "ragazzi": "ragazzo",
    "giovani": "giovane",
    "volontari": "volontario",
    "comuni": "comune",
    "distretti": "distretto",
    "consorzi": "consorzio",
    "tariffe": "tariffa",
    "soglie": "soglia",
    "agevolazioni": "agevolazione",
    "esenzioni": "esenzione",
    "redditi": "reddito",
    "patrimoni": "patrimonio",
    "contributi": "contributo",
    "dati": "dato",
    "indicatori": "indicatore",
    "piattaforme": "piattaforma",
    "cartelle": "cartella",
    "operatori": "operatore",
    "assistenti": "assistente",
    "educatori": "educatore",
    "scuole": "scuola",
    "adolescenti": "adolescente",
    "residenze": "residenza",
    "cure": "cura",
    "ospedali": "ospedale",
    "dimissioni": "dimissione",
    "caregiver": "caregiver",
    "povertà": "povertà",
    "città": "città",
    "poveri": "povero",
    "disoccupati": "disoccupato",
    "tirocini": "tirocinio",
    "progetti": "progetto",
    "enti": "ente",
    "competenze": "competenza",
    "politiche": "politica",
    "territori": "territorio",
    "sociali": "sociale",
    "sanitari": "sanitario",
    "domiciliari": "domiciliare",
    "abitative": "abitativo",
    "popolari": "popolare",
    "chiediamo": "chiedere",
    "servirebbero": "servire",
    "aiutano": "aiutare",
    "pagano": "pagare",
    "vivono": "vivere",
    "assistiti": "assistito",
    "rette": "retta",
    "graduatorie": "graduatoria",
    "inquilini": "inquilino",
}


def main() -> None:
    """Print accuracy and speed of each lemmatiser backend."""
    from nlp._preprocess import LEMMATIZERS

    words = list(GOLD)
    for name, factory in LEMMATIZERS.items():
        lemmatizer = factory()
        t0 = time.perf_counter()
        got = {w: lemmatizer(w) for w in words}
        dt = time.perf_counter() - t0
        wrong = {w: got[w] for w in words if got[w] != GOLD[w]}
        acc = 1 - len(wrong) / len(words)
        print(
            f"{name}: {acc:.3f} ({len(words) - len(wrong)}/{len(words)}) "
            f"in {dt * 1000:.1f} ms; wrong: {wrong}"
        )


if __name__ == "__main__":
    main()
