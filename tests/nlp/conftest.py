"""Shared hand-made fixtures for the nlp tests (offline, CPU, small)."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest

from nlp import ObjectiveSpec

HOUSING = [
    "Gli affitti in città sono troppo alti per le famiglie giovani",
    "Servono più case popolari e alloggi a canone calmierato",
    "Le case dell'ATC sono vuote e andrebbero ristrutturate per chi aspetta un alloggio",
    "Un fondo per aiutare chi rischia lo sfratto perché non riesce a pagare l'affitto",
    "Housing sociale per chi esce dai dormitori e cerca una casa",
    "La graduatoria per le case popolari è ferma da anni",
    "Coabitazione tra anziani con casa grande e studenti che cercano un affitto",
    "Emergenza abitativa: famiglie sfrattate che finiscono in albergo",
    "Agenzia sociale per la casa che garantisca i proprietari che affittano",
    "Contributo per l'affitto pagato in tempi rapidi",
    "Recuperare gli alloggi sfitti per darli in affitto a chi ne ha bisogno",
    "Morosità incolpevole: sostenere gli inquilini che perdono il lavoro",
]
ELDERLY = [
    "Più ore di assistenza domiciliare per gli anziani non autosufficienti",
    "Le RSA costano troppo e le liste d'attesa sono lunghissime",
    "Un sostegno ai caregiver familiari che assistono un parente malato",
    "Dimissioni protette dall'ospedale con i servizi sociali avvisati",
    "Centri diurni per le persone con demenza e Alzheimer",
    "Infermiere di comunità per gli anziani che vivono soli in montagna",
    "Valutazione della non autosufficienza fatta insieme da ASL e comune",
    "Assegni di cura per chi assiste a casa un familiare disabile",
    "Badanti formate e un albo regionale per le famiglie",
    "Salute mentale: presa in carico comune tra sanità e servizi sociali",
    "Cure domiciliari per gli anziani fragili dopo il ricovero",
    "Sollievo per le famiglie che curano un anziano con demenza",
]
CIVIL = [
    "Più posti di servizio civile per i giovani nei piccoli comuni",
    "Il servizio civile dovrebbe valere nei concorsi pubblici",
    "Aumentare il rimborso mensile dei volontari del servizio civile",
    "Formazione dei volontari del servizio civile più pratica e meno teorica",
    "Certificare le competenze acquisite durante il servizio civile",
    "Servizio civile aperto ai ragazzi stranieri nati in Italia",
    "Gli enti accreditati per il servizio civile hanno troppa burocrazia",
    "Orientamento al lavoro per i giovani alla fine del servizio civile",
    "Far conoscere il bando del servizio civile nelle scuole superiori",
    "Volontari del servizio civile nei doposcuola per i bambini",
    "Progetti di servizio civile nelle biblioteche e nei musei",
    "Giovani in servizio civile come cittadinanza attiva nel quartiere",
]
ISEE = [
    "L'ISEE non tiene conto dei debiti e del mutuo da pagare",
    "Soglie ISEE uguali in tutti i comuni per la mensa scolastica",
    "Un regolamento regionale unico sulla compartecipazione alla spesa",
    "La casa di proprietà nel patrimonio ISEE penalizza chi ha poco reddito",
    "Aggiornare subito l'ISEE corrente quando si perde il lavoro",
    "Tariffe dei servizi sociali con più fasce di reddito",
    "Esenzioni e agevolazioni con criteri uniformi in tutta la regione",
    "La DSU è troppo complicata: dichiarazione precompilata per l'ISEE",
    "Controlli sulle dichiarazioni ISEE false",
    "Compartecipazione alla retta calcolata sul reddito del solo assistito",
    "Soglia ISEE unica per i contributi economici comunali",
    "Tariffe uniformi per il trasporto scolastico in base all'ISEE",
]
TOPICS = {"abitare": HOUSING, "anziani": ELDERLY, "civile": CIVIL, "isee": ISEE}
OFF = [
    "Via Roma è piena di buche, asfaltatela",
    "Parcheggi introvabili vicino alla stazione",
    "Wifi gratuito in biblioteca che funzioni",
]


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str]]:
    """Return 48 hand-written proposals and their topic labels."""
    texts, labels = [], []
    for label, items in TOPICS.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.fixture(scope="session")
def objectives() -> list[ObjectiveSpec]:
    """Return a tiny hand-made framework."""
    return [
        ObjectiveSpec(
            "abitare",
            "Politiche per l'abitare",
            "Casa, affitti, alloggi sociali",
            ("casa", "affitto", "alloggi", "sfratti", "case popolari"),
        ),
        ObjectiveSpec(
            "socio-sanitario",
            "Integrazione socio-sanitaria",
            "Anziani non autosufficienti, cure domiciliari, sanità e sociale",
            ("anziani", "assistenza domiciliare", "RSA", "caregiver", "ASL"),
        ),
        ObjectiveSpec(
            "servizio-civile",
            "Servizio Civile Universale",
            "Giovani volontari in progetti di cittadinanza attiva",
            ("servizio civile", "giovani", "volontari", "enti accreditati"),
        ),
        ObjectiveSpec(
            "isee",
            "Regolamento ISEE",
            "Accesso equo ai servizi con l'ISEE",
            ("ISEE", "soglie", "tariffe", "compartecipazione", "reddito"),
        ),
    ]


@pytest.fixture(scope="session")
def use_encoder():
    """Return the pure-numpy USE encoder on one thread (loads in ~1 s)."""
    from nlp import get_encoder

    return get_encoder("use", threads=1)
