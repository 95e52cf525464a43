"""How the desk finds a person by name: each word of a name folded to a search key,
so that what a clerk types matches however the name was written. Latin: case and
accents ignored (`Gülşen` is `gulsen`); Arabic: the short vowels and the tatweel
ignored, the forms of alef, the alef maqsura and the ta marbuta taken as their plain
letters (`فاطمة الزهراء` is found by `فاطمه الزهراء`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# letters Arabic writers use interchangeably in names
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_SPECIAL = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "æ": "ae"})
_WORD = re.compile(r"\w+")
ARABIC_DEFINITE = "ال"


def fold(text: str) -> str:
    """`text` as a search compares it: lower case, no accent, no Arabic vowel."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    kept = "".join(
        c
        for c in decomposed
        if not unicodedata.combining(c) and c != "\u0640"  # tatweel
    )
    return kept.translate(_ARABIC_FOLD)


def name_keys(*names: str | None) -> list[str]:
    """The search keys of a person's names: each word folded, and an Arabic word with
    the article also without it (`الزهراء` is found by `زهراء` too)."""
    keys: list[str] = []
    for name in names:
        for word in _WORD.findall(fold(name or "")):
            keys.append(word)
            if word.startswith(ARABIC_DEFINITE) and len(word) > 3:
                keys.append(word[2:])
    return sorted(set(keys))


def query_words(typed: str) -> list[str]:
    """What the clerk typed, as folded words (each must start one of the person's)."""
    return _WORD.findall(fold(typed))


def matches(keys: Iterable[str], words: list[str]) -> bool:
    """Every typed word starts one of the keys (the store's query, said in Python)."""
    keys = list(keys)
    return bool(words) and all(any(k.startswith(w) for k in keys) for w in words)
