"""Which language a message is written in, German or English, decided per message."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("de", "en")
DEFAULT = "de"
CONFIDENT = 0.70

# Short messages are where statistics fail ("hallo" looks English to a character model), so the words people
# actually send on their own are decided here, and words both languages share decide nothing.
_SHORT_WORDS = {
    "de": {"hallo", "moin", "servus", "tach", "guten", "morgen", "abend", "tag", "danke", "dankeschön", "ja", "nein",
           "nö", "nee", "tschüss", "tschüs", "tschau", "ciao", "bitte", "gerne", "genau", "klar", "jup", "jo", "doch",
           "wie", "was", "wo", "wann", "warum", "ich", "und", "mein", "meine", "der", "die", "das", "ist", "gibt",
           "habt", "haben", "sie", "du", "ihr", "nicht", "kein", "keine", "mit", "für", "vom", "zum", "zur", "auf",
           "mir", "zeig", "zeigen", "welche", "welcher", "welches", "möchte", "moechte", "kann", "können", "koennen",
           "würde", "wuerde", "ein", "eine", "einen", "nach", "bei", "unter", "über", "ueber", "noch", "schon",
           "auch", "aber", "oder", "es", "euch", "uns", "gibt's", "wieviel", "viel"},
    "en": {"hello", "thanks", "thank", "thx", "yes", "yeah", "yep", "no", "nope", "bye", "goodbye", "please",
           "sure", "cheers", "morning", "evening", "what", "where", "when", "why", "how", "my", "the", "is", "are",
           "do", "does", "you", "your", "not", "with", "for", "of", "and", "can", "i", "it", "have", "there",
           "me", "show", "tell", "give", "want", "need", "would", "could", "should", "any", "which", "who", "to",
           "this", "that", "these", "from", "about", "under", "over", "much", "many", "get", "its", "it's"},
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(Language.GERMAN, Language.ENGLISH).with_preloaded_language_models().build()


def detect(text: str) -> Optional[str]:
    """'de' or 'en', or None when the message gives no evidence (numbers, 'ok', an emoji): keep the previous one."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    lowered = text.lower()
    if any(ch in lowered for ch in "äöüß") and len(words) <= 6:
        return "de"
    votes = {lang: sum(w in vocab for w in words) for lang, vocab in _SHORT_WORDS.items()}
    lead = votes["de"] - votes["en"]
    if lead and (len(words) <= 3 or abs(lead) >= 2):
        return "de" if lead > 0 else "en"
    top = _detector().compute_language_confidence_values(text)[0]
    if top.value >= CONFIDENT:
        return "de" if top.language == Language.GERMAN else "en"
    return ("de" if lead > 0 else "en") if lead else None
