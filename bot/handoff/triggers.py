"""Words in a customer's message that make the chat a case for a particular team (an accident, a lawyer, GDPR)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from rapidfuzz import fuzz

from bot.catalog.matching import tokens

TYPO_MIN_LENGTH = 8  # shorter words are too alike ('raucht', 'braucht'; 'sollten', 'swollen') to forgive typos
TYPO_SCORE = 88.0  # 'uberhizt' is 'überhitzt' mistyped; 'gesprochen' is not 'gebrochen', 'verlängern' not 'verklagen'
COMPOUND_HEAD_MIN = 6  # shorter words end too many others ('rauch' in 'Verbrauch')
EXTRA_LETTERS = 3  # endings allowed after the stem: 'Bremse' → 'Bremsen', 'überhitzt' → 'überhitzten'
ENGLISH_ENDINGS = ("", "s", "es", "d", "ed", "n", "ing", "ion", "er", "ers")
NEGATION_REACH = 3  # a negation this many words before a term, in the same clause, negates it: "not one to complain"
NEGATIONS = frozenset({
    "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "niemand", "ohne",
    "not", "no", "never", "nobody", "without", "cannot", "t", "cant", "dont", "doesnt", "didnt", "wont", "isnt",
    "wasnt", "arent", "havent", "hasnt"})  # 't' is what is left of "can't", "don't" and "won't"
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")  # 'lukas.brenner@example.de' holds no 'brennt'
_CLAUSE = re.compile(r"[.,;:!?()\n–—]+")


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


def _is_word(term_word: str, word: str, language: str) -> bool:
    """The word is the term's word: as written, inflected, or with a typo if it is long; German words also without
    umlauts ('ueberhitzt', 'uberhitzt') and as the last part of a compound."""
    if language == "en":
        return _english_inflected(term_word, word) or _mistyped(term_word, word)
    term_word, word = _plain(term_word), _plain(word)
    if word == term_word or _inflected(term_word, word) or _mistyped(term_word, word):
        return True
    if word.startswith("ge") and not term_word.startswith("ge") and _inflected(term_word, word[2:]):
        return True  # German past participle: 'geraucht' for 'rauch'
    # the last part of a German compound: 'Vorderbremse', 'Fahrradunfall', 'Patentanwalt'
    return len(term_word) >= COMPOUND_HEAD_MIN and any(_inflected(term_word, word[start:])
                                                       for start in range(3, len(word) - len(term_word) + 1))


def _term_found(term: str, words: Sequence[str], negated: Sequence[bool], language: str) -> bool:
    """Every word of the term is somewhere in the message, in any order, and the term is not negated: a negation
    before one of its words wherever it stands ("I can't complain", 'nicht heiß geworden') takes it back, unless the
    term itself holds a negation ('bremst nicht')."""
    term_words = tokens(term)
    places = []
    for term_word in term_words:
        at = [i for i, word in enumerate(words) if _is_word(term_word, word, language)]
        if not at:
            return False  # most terms are not in a message: the first missing word settles it
        places.append(at)
    return bool(places) and (bool(NEGATIONS.intersection(term_words))
                             or not any(all(negated[i] for i in at) for at in places))


def _words(text: str) -> Tuple[List[str], List[bool]]:
    """The message's words, and for each whether a negation comes shortly before it in the same clause."""
    words: List[str] = []
    negated: List[bool] = []
    for clause in _CLAUSE.split(_ADDRESS.sub(" ", text)):
        found = tokens(clause)
        words += found
        negated += [any(word in NEGATIONS for word in found[max(0, i - NEGATION_REACH):i]) for i in range(len(found))]
    return words, negated


def find_triggers(text: str, triggers_by_team: Dict[str, Dict[str, List[str]]]) -> List[TriggerMatch]:
    """The teams whose trigger terms (German or English) the message contains, not negated, in the given order, one
    per team."""
    words, negated = _words(text)
    matches: List[TriggerMatch] = []
    for team_key, terms in triggers_by_team.items():
        for language, term in ((language, term) for language in ("de", "en") for term in terms.get(language, [])):
            if _term_found(term, words, negated, language):
                matches.append(TriggerMatch(team_key, term))
                break
    return matches
