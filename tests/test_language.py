"""Each message's language, as people really write: short, lowercase, without umlauts, with emojis."""
from __future__ import annotations

import pytest

from bot.language import detect


@pytest.mark.parametrize("text", [
    "Hallo", "moin", "danke!", "Was kostet das Stadtrad E7?", "Wo bleibt meine Bestellung", "preis e7",
    "Rueckgabe moeglich?", "gibt es jobs in leipzig", "Ich möchte mit einem Menschen sprechen",
    "Welche E-Bikes habt ihr unter 3000 Euro?", "hast du ne idee wann das x1 wieder da ist 🙈", "ja gerne",
    "Kann ich mein Rad zurückgeben?", "wie lange dauert der versand nach österreich",
])
def test_german(text: str) -> None:
    assert detect(text) == "de"


@pytest.mark.parametrize("text", [
    "hello", "thanks!", "How much is the Stadtrad E7?", "where is my order LR-123456", "Do you have jobs in Leipzig?",
    "Can I return my bike?", "i want to talk to a human", "price e7", "battery recall", "yes please",
    "is the gipfel x1 back in stock soon? 🙏", "what are your opening hours",
])
def test_english(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize("text", ["ok", "LR-123456", "👍", "2308", "hi", "", "BW-2026-0042", "?!"])
def test_no_evidence_keeps_the_conversation_language(text: str) -> None:
    assert detect(text) is None
