"""Words in a customer's message that make the chat a case for a particular team (an accident, a lawyer, GDPR)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Sequence

from rapidfuzz import fuzz

from bot.catalog.matching import tokens

TYPO_MIN_LENGTH = 8  # shorter words are too alike ('raucht', 'braucht'; 'sollten', 'swollen') to forgive typos
TYPO_SCORE = 88.0  # 'uberhizt' is 'überhitzt' mistyped; 'gesprochen' is not 'gebrochen', 'verlängern' not 'verklagen'
COMPOUND_HEAD_MIN = 6  # shorter words end too many others ('rauch' in 'Verbrauch')
EXTRA_LETTERS = 3  # endings allowed after the stem: 'Bremse' → 'Bremsen', 'überhitzt' → 'überhitzten'
ENGLISH_ENDINGS = ("", "s", "es", "d", "ed", "n", "ing", "ion", "er", "ers")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")  # 'lukas.brenner@example.de' holds no 'brennt'


@dataclass(frozen=True)
class TriggerMatch:
    """A team the message is a case for, and the term that showed it."""

    team_key: str
    term: str


def _plain(word: str) -> str:
    """The word with umlauts left out, so 'ueberhitzt' and 'uberhitzt' are the same."""
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _inflected(term_word: str, word: str) -> bool:
    """The word is the German term with another ending: 'versagt' → 'versagen', 'Unfall' → 'Unfälle'."""
    if len(term_word) < 4:
        return False
    ending = 0 if len(term_word) <= 5 else 1 if len(term_word) <= 7 else 2
    stem = term_word[: len(term_word) - ending]
    return word.startswith(stem) and len(word) <= len(term_word) + EXTRA_LETTERS


def _english_inflected(term_word: str, word: str) -> bool:
    """The word is the English term with an English ending: 'overheat' → 'overheating', 'injury' → 'injuries',
    'delete' → 'deletion', 'broke' → 'broken', 'sparks' → 'sparked', 'reseller' → 'resell'; a German word that
    merely begins like it is not ('sparks' → 'Sparkasse')."""
    bases = {term_word}
    for ending, replacement in (("e", ""), ("y", "i"), ("s", ""), ("er", "")):
        if term_word.endswith(ending) and len(term_word) >= 5:  # 'gets hot' is not 'get hot' ('How hot can it get?')
            bases.add(term_word[: -len(ending)] + replacement)
    return any(word == base + ending for base in bases for ending in ENGLISH_ENDINGS)


def _mistyped(term_word: str, word: str) -> bool:
    """A long term with a slip of the keyboard: 'uberhizt' for 'überhitzt'."""
    return (len(term_word) >= TYPO_MIN_LENGTH and word[:1] == term_word[:1]
            and abs(len(word) - len(term_word)) <= 1 and fuzz.ratio(term_word, word) >= TYPO_SCORE)


def _word_found(term_word: str, words: Sequence[str], language: str) -> bool:
    """The term's word is in the message: as written, inflected, or with a typo if it is long; German words also
    without umlauts ('ueberhitzt', 'uberhitzt') and as the last part of a compound."""
    if language == "en":
        return any(_english_inflected(term_word, word) or _mistyped(term_word, word) for word in words)
    term_word = _plain(term_word)
    for word in map(_plain, words):
        if word == term_word or _inflected(term_word, word) or _mistyped(term_word, word):
            return True
        if word.startswith("ge") and not term_word.startswith("ge") and _inflected(term_word, word[2:]):
            return True  # German past participle: 'geraucht' for 'rauch'
        if len(term_word) >= COMPOUND_HEAD_MIN and any(_inflected(term_word, word[start:])
                                                       for start in range(3, len(word) - len(term_word) + 1)):
            return True  # the last part of a German compound: 'Vorderbremse', 'Fahrradunfall', 'Patentanwalt'
    return False


def _term_found(term: str, words: Sequence[str], language: str) -> bool:
    """Every word of the term is somewhere in the message, in any order."""
    term_words = tokens(term)
    return bool(term_words) and all(_word_found(term_word, words, language) for term_word in term_words)


def find_triggers(text: str, triggers_by_team: Dict[str, Dict[str, List[str]]]) -> List[TriggerMatch]:
    """The teams whose trigger terms (German or English) the message contains, in the given order, one per team."""
    words = tokens(_ADDRESS.sub(" ", text))
    matches: List[TriggerMatch] = []
    for team_key, terms in triggers_by_team.items():
        for language, term in [(language, term) for language in ("de", "en") for term in terms.get(language, [])]:
            if _term_found(term, words, language):
                matches.append(TriggerMatch(team_key, term))
                break
    return matches
