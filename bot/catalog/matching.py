"""Finding what customers mean in what they type: typos, missing umlauts, compounds and plurals forgiven."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "€": " euro "})
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lowercase, umlauts spelt out (so 'Räder', 'Raeder' and 'Rader' meet), hyphens between words kept."""
    return text.lower().translate(_FOLD)


def tokens(text: str) -> List[str]:
    """Words of a message, with hyphenated words also split into their parts ('e-bikes' → 'e-bikes', 'e', 'bikes')."""
    result: List[str] = []
    for word in _TOKEN.findall(normalize(text)):
        result.append(word)
        if "-" in word:
            result.extend(part for part in word.split("-") if part)
    return result


def _strip_umlaut_e(word: str) -> str:
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def word_similarity(alias_word: str, word: str) -> float:
    """0–100: exact for short codes and numbers ('e7' is not 'e5'), forgiving for longer words."""
    if alias_word == word:
        return 100.0
    if len(alias_word) <= 3 or any(ch.isdigit() for ch in alias_word):
        return 0.0
    if _strip_umlaut_e(alias_word) == _strip_umlaut_e(word):
        return 99.0
    score = fuzz.ratio(alias_word, word)
    # German compounds and plurals: 'lastenraeder' starts with 'lastenrad', 'helme' with 'helm'.
    if len(alias_word) >= 4 and word.startswith(alias_word[: max(4, len(alias_word) - 1)]) and (
        len(alias_word) >= 6 or len(word) - len(alias_word) <= 2
    ):
        score = max(score, 92.0)
    return score


def phrase_score(alias: str, words: Sequence[str], threshold: float = 84.0) -> float:
    """How well every word of an alias ('stadtrad e7') is found among the message's words; 0 if any is missing."""
    alias_words = tokens(alias)
    if not alias_words:
        return 0.0
    total = 0.0
    for alias_word in alias_words:
        best = max((word_similarity(alias_word, word) for word in words), default=0.0)
        if best < threshold:
            return 0.0
        total += best
    return total / len(alias_words)


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    length: int  # how many words of the message the alias covered: longer aliases are more specific


def best_matches(text: str, candidates: Iterable[Tuple[str, Iterable[str]]]) -> List[Match]:
    """Candidates (key, aliases) found in the text, most specific first, one match per key."""
    words = tokens(text)
    found: dict = {}
    for key, aliases in candidates:
        for alias in aliases:
            score = phrase_score(alias, words)
            if score:
                match = Match(key, score, len(tokens(alias)))
                current: Optional[Match] = found.get(key)
                if current is None or (match.length, match.score) > (current.length, current.score):
                    found[key] = match
    return sorted(found.values(), key=lambda m: (-m.length, -m.score, m.key))
