"""The other forms of an Italian word, so a search for one finds them all.

Snowball's Italian stemmer, in SQLite's index and in PostgreSQL's `italian` configuration
alike, splits some singular and plural forms: "anziano" -> "anzi" but "anziani" -> "anzian";
"popolare" -> "popol" but "popolari" -> "popolar". Rather than re-index, the query asks for
every gender and number form of each word it holds (amica/amiche, parco/parchi,
famiglia/famiglie), which both indexes then stem as they always do.
"""

VOWELS = "aeio"


def forms(word: str) -> set[str]:
    """`word` and its gender/number variants (a few may not be words; they match nothing)."""
    word = word.lower()
    if len(word) < 3 or word[-1] not in VOWELS or not word.isalpha():
        return {word}
    base = word[:-1]
    found = {word, *(base + vowel for vowel in VOWELS)}
    if base.endswith(("ch", "gh")):  # amiche, parchi -> amica, amici, parco
        found |= {base[:-1] + vowel for vowel in "aoi"}  # amici, too
    elif base.endswith(("c", "g")) and word[-1] in "ao":  # amica, parco -> amiche, parchi
        found |= {base + "h" + vowel for vowel in "ei"}
    return found
