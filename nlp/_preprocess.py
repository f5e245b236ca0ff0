"""Italian preprocessing: spaCy tokenizer, pluggable lemmatiser, stop words."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

__all__ = [
    "DOMAIN_STOP_WORDS",
    "ItalianPreprocessor",
    "Lemmatizer",
    "clean_text",
    "content_words",
    "normalize_text",
]

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of text."""
    return frozenset(text.split())


# Words that carry the consultation's framing, not its content.
DOMAIN_STOP_WORDS = _words(
    """proposta proposte proporre propongo proponiamo chiediamo chiedo chiedere vorrei vorremmo
    bisogna bisognerebbe servirebbe servirebbero serve servono occorre occorrerebbe dovrebbe
    dovrebbero potrebbe potrebbero sarebbe sarebbero importante necessario necessaria
    necessità fare fatto avere essere cosa cose tipo modo volta anno anni esempio ecc etc
    idea idee pensare penso secondo spero speriamo grazie ciao buongiorno salve regione
    potere dovere volere stare andare venire dare mettere riuscire sapere"""
)
# Content words that spaCy's generic Italian list treats as stop words.
_KEEP = _words(
    "lavoro città citta casa governo consiglio nazionale mancanza registrazione futuro gruppo "
    "paese mondo vita tempo uomo mesi scola presa"
)
_ELISION = re.compile(r"^[a-zà-ÿ]{1,5}['’]", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_]{2,}$")
_SPACE = re.compile(r"\s+")


# Word-processor and web markup pasted into proposals (Word's "Save as HTML", Outlook, CMS).
_MARKUP = [
    re.compile(r"<!--.*?-->", re.S),  # comments, including <!--[if gte mso 9]>...<![endif]-->
    re.compile(r"<!\[(?:if|endif)[^\]]*\]>", re.I),
    re.compile(r"<(style|script|xml|head)\b.*?</\1\s*>", re.S | re.I),
    re.compile(r"/\*.*?\*/", re.S),  # CSS comments (/* Style Definitions */)
    re.compile(r"@font-face\s*\{[^}]*\}", re.I),
    re.compile(r"[\w.#:,\s-]{0,80}\{[^{}]*:[^{}]*\}"),  # CSS rules: table.MsoNormalTable {...}
    re.compile(r"</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>"),  # tags, attributes included
    # CSS declarations left as plain text: mso-*, font-*, margin-* ... : value;
    re.compile(
        r"\b(?:mso-[\w-]+|font(?:-[\w-]+)?|margin(?:-[\w-]+)?|padding(?:-[\w-]+)?|"
        r"line-height|text-(?:align|indent|decoration)|page(?:-[\w-]+)?|tab-stops|"
        r"border(?:-[\w-]+)?|background(?:-[\w-]+)?|color|layout-grid-mode|"
        r"punctuation-wrap|vertical-align|white-space)\s*:\s*[^;<>\n]{0,80}(?:;|(?=\s*$))",
        re.I,
    ),
    re.compile(r"\b[\w-]*mso[\w-]*\b", re.I),  # MsoNormal, mso-bidi, msonormaltable
    re.compile(r"\bNormal\s+0(?:\s+\d+)?(?:\s+(?:false|true))+(?:\s+[A-Z]{2}(?:-[A-Z]+)?)*"),
    re.compile(r"\b(?:X-NONE|MicrosoftInternetExplorer4)\b"),
]
_ENTITY_LEFT = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});", re.I)


def clean_text(text: str) -> str:
    """Strip pasted word-processor/HTML markup (mso-* CSS, tags, entities); tidy spaces.

    Plain text passes unchanged apart from whitespace; this runs before lemmas, embeddings,
    names and keywords, so markup can never become a theme word.
    """
    import html

    if not text:
        return ""
    out = unicodedata.normalize("NFC", str(text))
    if "<" in out or "{" in out or "&" in out or "mso" in out.lower() or ":" in out:
        for _ in range(2):  # entities may hide tags (&lt;p&gt;)
            out = html.unescape(out)
        for pattern in _MARKUP:
            out = pattern.sub(" ", out)
        out = _ENTITY_LEFT.sub(" ", out)
    out = out.replace("\xa0", " ").replace("\u200b", "")
    out = re.sub(r"\s+([,.;:!?])", r"\1", _SPACE.sub(" ", out))
    return out.strip()


_CONTENT = re.compile(r"[^\W\d_]{3,}")


def content_words(text: str) -> int:
    """Return how many distinct alphabetic words of 3+ letters a (cleaned) text has."""
    return len({w.casefold() for w in _CONTENT.findall(text)})


def normalize_text(text: str) -> str:
    """Return a canonical form for exact-duplicate detection."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return _SPACE.sub(" ", text).strip(" .!?;:")


class Lemmatizer(Protocol):
    """Map one lowercase Italian word to its lemma."""

    name: str

    def __call__(self, word: str) -> str:
        """Return the lemma of word."""
        ...


class SimplemmaLemmatizer:
    """Lemmatise with simplemma's Italian dictionary."""

    name = "simplemma"

    def __init__(self) -> None:
        import simplemma

        self._lemmatize = simplemma.lemmatize
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        """Return the lemma of word."""
        lemma = self._cache.get(word)
        if lemma is None:
            lemma = self._lemmatize(word, lang="it").lower()
            self._cache[word] = lemma
        return lemma


class SpacyLookupLemmatizer:
    """Lemmatise with spaCy's Italian lookup table (spacy-lookups-data)."""

    name = "spacy-lookup"

    def __init__(self) -> None:
        from spacy.lookups import load_lookups

        table = load_lookups("it", ["lemma_lookup"]).get_table("lemma_lookup")
        self._table = table

    def __call__(self, word: str) -> str:
        """Return the lemma of word."""
        return str(self._table.get(word, word)).lower()


LEMMATIZERS: dict[str, Callable[[], Lemmatizer]] = {
    "simplemma": SimplemmaLemmatizer,
    "spacy-lookup": SpacyLookupLemmatizer,
}


def _register_component() -> None:
    """Register the consult lemmatiser as a spaCy pipeline component."""
    from spacy.language import Language
    from spacy.tokens import Token

    if not Token.has_extension("consult_lemma"):
        Token.set_extension("consult_lemma", default="")
    if Language.has_factory("consult_lemmatizer"):
        return

    @Language.factory("consult_lemmatizer", default_config={"backend": "simplemma"})
    def _make(nlp: Language, name: str, backend: str) -> Callable:
        lemmatizer = LEMMATIZERS[backend]()

        def component(doc):
            for token in doc:
                token.lemma_ = lemmatizer(token.lower_)
            return doc

        return component


class ItalianPreprocessor:
    """Tokenise, split elisions, lemmatise and drop stop words in Italian text."""

    def __init__(
        self,
        *,
        lemmatizer: str = "simplemma",
        extra_stop_words: Iterable[str] = (),
        min_length: int = 3,
    ) -> None:
        import spacy
        from spacy.lang.it.stop_words import STOP_WORDS

        _register_component()
        self.lemmatizer = lemmatizer
        self.min_length = min_length
        self.nlp = spacy.blank("it")
        self.nlp.max_length = 50_000_000
        self.nlp.add_pipe("consult_lemmatizer", config={"backend": lemmatizer})
        stops = (set(STOP_WORDS) - _KEEP) | DOMAIN_STOP_WORDS | set(extra_stop_words)
        self.stop_words = frozenset(s.lower() for s in stops)

    def _keep(self, word: str) -> bool:
        """Tell whether a lemma or surface form is a content word."""
        return (
            len(word) >= self.min_length and bool(_WORD.match(word)) and word not in self.stop_words
        )

    def _lemmas_of(self, doc) -> list[str]:
        """Return the content lemmas of a parsed spaCy doc."""
        out = []
        for token in doc:
            surface = _ELISION.sub("", token.lower_)
            lemma = _ELISION.sub("", token.lemma_ or surface)
            if self._keep(surface) and self._keep(lemma):
                out.append(lemma)
        return out

    def lemmas(self, text: str) -> list[str]:
        """Return the content lemmas of one text."""
        return self._lemmas_of(self.nlp(text))

    def lemmatize_many(self, texts: Iterable[str], *, batch_size: int = 256) -> list[str]:
        """Return each text as a space-joined string of content lemmas."""
        docs = self.nlp.pipe((t.replace("’", "'") for t in texts), batch_size=batch_size)
        return [" ".join(self._lemmas_of(doc)) for doc in docs]

    def __call__(self, text: str) -> list[str]:
        """Analyse text for scikit-learn vectorizers (analyzer=preprocessor)."""
        return self.lemmas(text)
