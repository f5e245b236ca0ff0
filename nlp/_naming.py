"""Readable, traceable theme names and keywords in surface Italian; theme coherence.

Names are phrases copied from the theme's own proposals: a window of 1-5 words inside one
clause, beginning and ending with a content word, that occurs (case-insensitively) in at least
two member texts. Candidates are scored by how many members use them, how specific they are to
the theme (members using it / all documents using it), how many of the theme's c-TF-IDF
lemmas they carry and their length (2-4 content words preferred). Keywords are BERTopic's
c-TF-IDF + MMR lemma keywords rendered back as the surface span members actually wrote
("vivono in strada", "lavori", never the lemmas "vivo strada", "lavorio").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DocTokens", "Namer", "theme_coherence"]

_SPACES = re.compile(r"\s+")
_ACRONYM = re.compile(r"^[A-Z]{3,6}$")
MAX_TOKENS = 5  # a name is 1-5 words: "Cura dei figli", "Vive in strada"
MAX_CONTENT = 4
# Words that cannot open a name (adjectives, participles, time words, framing): a name is a
# noun phrase such as "Servizi sociali", never "Sociali", "Presente proposta", "Unica".
_NO_START = frozenset(
    [
        "unica",
        "unico",
        "uniche",
        "unici",
        "presente",
        "presenti",
        "finalizzata",
        "finalizzato",
        "finalizzati",
        "base",
        "mira",
        "mirano",
        "minuti",
        "ore",
        "mesi",
        "giorni",
        "settimane",
        "anni",
        "volte",
        "estate",
        "inverno",
        "altri",
        "altre",
        "altro",
        "altra",
        "stesso",
        "stessa",
        "stessi",
        "stesse",
        "nuovo",
        "nuova",
        "nuovi",
        "nuove",
        "vero",
        "vera",
        "veri",
        "vere",
        "reale",
        "reali",
        "regionale",
        "regionali",
        "comunale",
        "comunali",
        "pubblico",
        "pubblica",
        "pubblici",
        "pubbliche",
        "sociale",
        "sociali",
        "possibile",
        "possibili",
        "diversi",
        "diverse",
        "vari",
        "varie",
        "ogni",
        "molti",
        "molte",
        "pochi",
        "poche",
        "troppi",
        "troppe",
        "gratuito",
        "gratuita",
        "gratuiti",
        "gratuite",
        "grave",
        "gravi",
        "lunghe",
        "lunghi",
        "piccoli",
        "piccole",
        "grandi",
        "grande",
        "alto",
        "alta",
        "alti",
        "alte",
        "basso",
        "bassa",
        "bassi",
        "basse",
        "chiaro",
        "chiara",
        "certe",
        "certi",
        "attuale",
        "attuali",
        "previsto",
        "prevista",
        "previsti",
        "previste",
        "soprattutto",
        "sempre",
        "spesso",
        "ancora",
        "subito",
        "mai",
        "davvero",
        "almeno",
        "proprio",
        "invece",
        "inoltre",
        "quindi",
        "oggi",
        "domani",
        "ieri",
        # adjectives the domain uses after a noun ("situazione economica", "cure sanitarie")
        "economico",
        "economica",
        "economici",
        "economiche",
        "sanitario",
        "sanitaria",
        "sanitari",
        "sanitarie",
        "abitativo",
        "abitativa",
        "abitativi",
        "abitative",
        "educativo",
        "educativa",
        "educativi",
        "educative",
        "lavorativo",
        "lavorativa",
        "lavorativi",
        "lavorative",
        "psicologico",
        "psicologica",
        "psicologici",
        "psicologiche",
        "scolastico",
        "scolastica",
        "scolastici",
        "scolastiche",
        "informatico",
        "informatica",
        "informatici",
        "informatiche",
        "territoriale",
        "territoriali",
        "assistenziale",
        "assistenziali",
        "digitale",
        "digitali",
        "minorile",
        "minorili",
        "familiare",
        "familiari",
    ]
)


def _verb_like(lemma: str) -> bool:
    """Tell whether a lemma is a verb or an -are adjective ("pesare", "familiare"): as a whole
    name it says nothing a planner would write. -iere nouns (quartiere, infermiere) are not."""
    return len(lemma) > 4 and lemma.endswith(("are", "ere", "ire")) and not lemma.endswith("iere")


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.casefold().replace("’", "'")).strip()


@dataclass
class DocTokens:
    """Content tokens of one text: (start, end, lemma, is_content) plus clause ids."""

    text: str
    tokens: list[tuple[int, int, str, bool, int]]  # start, end, lemma, content, clause


class Namer:
    """Analyse texts once; name themes and render keywords from their members."""

    def __init__(self, preprocessor, texts: Sequence[str]) -> None:
        self.pre = preprocessor
        self.docs: list[DocTokens] = []
        nlp = preprocessor.nlp
        for doc in nlp.pipe((t.replace("’", "'") for t in texts), batch_size=256):
            toks = []
            clause = 0
            for tok in doc:
                if tok.is_punct or tok.is_space or tok.like_url or "\n" in tok.text:
                    clause += 1
                    continue
                surface = tok.lower_
                lemma = tok.lemma_ or surface
                content = (preprocessor._keep(surface) and preprocessor._keep(lemma)) or bool(
                    _ACRONYM.match(tok.text)
                )
                toks.append((tok.idx, tok.idx + len(tok.text), lemma.lower(), content, clause))
            self.docs.append(DocTokens(doc.text, toks))
        self._phrases: list[dict[str, tuple[str, frozenset[str], int, bool]]] | None = None
        self._df: Counter | None = None

    # ----- candidate phrases -----------------------------------------------------------
    def _doc_phrases(self, d: DocTokens) -> dict[str, tuple[str, frozenset[str], int, bool]]:
        """Return {key: (surface, content lemmas, n content, weak opening)} of one document."""
        out: dict[str, tuple[str, frozenset[str], int, bool]] = {}
        toks = d.tokens
        for i, (s0, e0, _, c0, cl0) in enumerate(toks):
            if not c0:
                continue
            weak = d.text[s0:e0].casefold() in _NO_START
            lemmas: list[str] = []
            for j in range(i, min(len(toks), i + MAX_TOKENS)):
                _, e1, lem, c1, cl1 = toks[j]
                if cl1 != cl0:
                    break
                if c1:
                    lemmas.append(lem)
                    if len(lemmas) > MAX_CONTENT:
                        break
                    surface = d.text[s0:e1]
                    key = _key(surface)
                    if key not in out:
                        out[key] = (surface, frozenset(lemmas), len(lemmas), weak)
        return out

    def phrases(self) -> list[dict[str, tuple[str, frozenset[str], int, bool]]]:
        """Return (cached) candidate phrases of every document."""
        if self._phrases is None:
            self._phrases = [self._doc_phrases(d) for d in self.docs]
            self._df = Counter(k for p in self._phrases for k in p)
        return self._phrases

    def name(
        self,
        members: Sequence[int],
        keywords: Sequence[str],
        *,
        central: int | None = None,
        used: set[str] | None = None,
    ) -> tuple[str, bool]:
        """Return (name, fallback) for a theme from its member indices and lemma keywords."""
        phrases = self.phrases()
        assert self._df is not None
        used = used or set()
        weight: dict[str, float] = {}
        for r, kw in enumerate(keywords[:10]):
            for lem in kw.split():
                weight.setdefault(lem, 1.0 / (1 + r))
        df: Counter = Counter()
        forms: dict[str, Counter] = defaultdict(Counter)
        info: dict[str, tuple[frozenset[str], int, bool]] = {}
        for i in members:
            for key, (surface, lemmas, nc, weak) in phrases[i].items():
                df[key] += 1
                forms[key][surface] += 1
                info[key] = (lemmas, nc, weak)
        size = max(1, len(members))
        best: tuple[float, str] | None = None
        usable = [k for k, n in df.items() if n >= 2 and k not in used]
        # Weak: an opening such as "Sociali", or a lone verb/adjective such as "Pesare".
        strong = [
            k
            for k in usable
            if not info[k][2] and not (info[k][1] == 1 and all(map(_verb_like, info[k][0])))
        ]
        pool = strong or usable  # weak openings ("Sociali") only when nothing else occurs
        multi = any(info[k][1] >= 2 for k in pool)
        for key in pool:
            n = df[key]
            lemmas, nc, _ = info[key]
            if multi and nc < 2:
                continue  # a phrase, not a single word, whenever one exists
            coverage = n / size
            specificity = n / self._df[key]
            kw_weight = sum(weight.get(lem, 0.0) for lem in lemmas)
            length = {1: 0.45, 2: 1.0, 3: 1.1, 4: 1.0}.get(nc, 0.8)
            score = coverage * specificity**0.5 * (0.3 + kw_weight) * length
            if best is None or score > best[0]:
                best = (score, key)
        if best is not None:
            return _capitalise(_casing(forms[best[1]])), False
        return self._fallback(central if central is not None else members[0]), True

    def _fallback(self, index: int) -> str:
        """Return the first words (up to 6, ending on a content word) of one proposal."""
        d = self.docs[index]
        if not d.tokens:
            return _capitalise(d.text[:60].strip()) or "(senza testo)"
        first_content = next((t for t in d.tokens if t[3]), d.tokens[0])
        clause = first_content[4]
        toks = [t for t in d.tokens if t[4] == clause and t[0] >= first_content[0]][:6]
        while len(toks) > 1 and not toks[-1][3]:
            toks.pop()
        return _capitalise(d.text[toks[0][0] : toks[-1][1]])

    # ----- keywords ----------------------------------------------------------------------
    def surface_keywords(self, members: Sequence[int], keywords: Sequence[str]) -> list[str]:
        """Render lemma keywords (1-2 lemmas) as the span members wrote most often."""
        out: list[str] = []
        seen: set[str] = set()
        seen_words: set[str] = set()
        for kw in keywords:
            lemmas = kw.split()
            forms: Counter = Counter()
            for i in members:
                d = self.docs[i]
                content = [t for t in d.tokens if t[3]]
                for a in range(len(content) - len(lemmas) + 1):
                    window = content[a : a + len(lemmas)]
                    if [t[2] for t in window] != lemmas:
                        continue
                    if len(window) > 1 and window[0][4] != window[-1][4]:
                        continue
                    forms[_key(d.text[window[0][0] : window[-1][1]])] += 1
            if not forms:
                continue
            surface = forms.most_common(1)[0][0]
            words = set(surface.split())
            if len(words) > 5 or surface in seen or words <= seen_words:
                continue
            seen.add(surface)
            seen_words |= words
            out.append(surface)
            if len(out) == 10:
                break
        return out

    def occurs(self, name: str, members: Sequence[int]) -> int:
        """Return in how many member texts a name occurs (case-insensitive)."""
        key = _key(name)
        return sum(key in _key(self.docs[i].text) for i in members)


def _casing(forms: Counter) -> str:
    """Pick the written form of a phrase: not SHOUTED, acronyms (ISEE, RSA) upper-case."""

    def shouted(t: str) -> bool:
        letters = [c for c in t if c.isalpha()]
        return len(letters) > 6 and all(c.isupper() for c in letters)

    ranked = sorted(forms.items(), key=lambda kv: (shouted(kv[0]), -kv[1]))
    text = ranked[0][0]
    acronyms = {
        w.casefold(): w
        for form in forms
        if not shouted(form) and (len(form.split()) == 1 or any(c.islower() for c in form))
        for w in form.split()
        if _ACRONYM.match(w)
    }
    words = []
    for w in text.split():
        if shouted(text):
            w = acronyms.get(w.casefold(), w.lower())
        else:
            w = acronyms.get(w.casefold(), w)
        words.append(w)
    return " ".join(words)


def _capitalise(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text[:1].upper() + text[1:] if text else text


def theme_coherence(
    Xc: np.ndarray, topics: np.ndarray, ids: Sequence[int], groups: dict[int, str | None]
) -> dict[int, tuple[float, float]]:
    """Return {theme: (coherence, intrusion)} in the centred embedding space.

    coherence = mean pairwise cosine of members (0 is what random pairs of the corpus score);
    intrusion = share of members closer to the centroid of another theme of the same objective
    (or of any theme without objectives) than to their own.
    """
    out: dict[int, tuple[float, float]] = {}
    cents = {}
    for t in ids:
        m = Xc[topics == t]
        c = m.mean(axis=0)
        cents[t] = c / max(float(np.linalg.norm(c)), 1e-12)
    for t in ids:
        m = Xc[topics == t]
        n = len(m)
        if n < 2:
            out[t] = (0.0, 0.0)
            continue
        s = m.sum(axis=0)
        coherence = float((s @ s - n) / (n * (n - 1)))
        rivals = [u for u in ids if u != t and groups.get(u) == groups.get(t)]
        if rivals:
            own = m @ cents[t]
            other = np.max(m @ np.stack([cents[u] for u in rivals]).T, axis=1)
            intrusion = float(np.mean(other > own))
        else:
            intrusion = 0.0
        out[t] = (round(coherence, 4), round(intrusion, 4))
    return out
