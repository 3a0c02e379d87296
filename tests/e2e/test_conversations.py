"""Conversations through the REST channel of the running assistant, in German and in English."""
from __future__ import annotations

from typing import List

import pytest
from sqlalchemy import select

from bot.db import open_session
from bot.db.models import Feedback
from tests.helpers.system import RunningSystem, new_sender


class Chat:
    """One customer's conversation."""

    def __init__(self, system: RunningSystem) -> None:
        self.system, self.sender = system, new_sender()
        self.buttons: List[dict] = []

    def say(self, text: str) -> str:
        replies = self.system.say(text, self.sender)
        assert replies, f"no reply to {text!r}"
        self.buttons = [button for reply in replies for button in reply.get("buttons", [])]
        return "\n".join(reply.get("text", "") for reply in replies)

    def press(self, title: str) -> str:
        payload = next(b["payload"] for b in self.buttons if b["title"] == title)
        return self.say(payload)


def _contains_all(reply: str, expected: List[str]) -> None:
    for fragment in expected:
        assert fragment in reply, f"{fragment!r} missing from reply:\n{reply}"


# One question, one answer: (message, fragments the answer must contain), German then English.
SINGLE_TURN = [
    # products: price, specs, availability, what fits, search, recall
    ("Was kostet das Stadtrad E7?", ["Stadtrad E7", "2.799 €", "auf Lager"]),
    ("How much is the Stadtrad E7?", ["Stadtrad E7", "€2,799", "in stock"]),
    ("was kostet das stadrad e7", ["2.799 €"]),
    ("preis lastenrad", ["Lastenrad C2", "4.990 €"]),
    ("what does the lastenrad cost", ["Lastenrad C2", "€4,990"]),
    ("Wie schwer ist das Stadtrad E5?", ["24 kg", "110 km"]),
    ("What's the range of the Tour T9?", ["170 km", "750 Wh"]),
    ("Ist der Gipfel X1 lieferbar?", ["Gipfel X1", "März"]),
    ("Is the Gipfel X1 available?", ["Gipfel X1", "March"]),
    ("Welcher Akku passt zum Stadtrad E7?", ["Akku 625 Wh", "799 €", "Ladegerät 4A"]),
    ("Which battery fits the Tour T9?", ["Akku 750 Wh", "€899"]),
    ("Passt der Akku 750 Wh an mein Stadtrad E7?", ["passt leider nicht", "Akku 625 Wh"]),
    ("Does the Akku 500 Wh fit the Lastenrad C2?", ["Yes", "Akku 500 Wh", "Lastenrad C2"]),
    ("Zeig mir E-Bikes unter 3000 Euro", ["Stadtrad E5", "Stadtrad E7", "2 passende"]),
    ("show me e-bikes under 3000 euros", ["Stadtrad E5", "Stadtrad E7", "2 matching"]),
    ("Welche Lastenräder habt ihr?", ["Lastenrad C2"]),
    ("Ist mein Akku aus Charge 2308 vom Rückruf betroffen?", ["betroffen", "2308", "Ersatzakku"]),
    ("Is my battery from batch 2312 part of the recall?", ["not part of any recall", "2312"]),
    # orders
    ("Wo ist meine Bestellung LR-123456?", ["LR-123456", "verschickt", "Sendungsnummer"]),
    ("Where is my order LR-123456?", ["LR-123456", "shipped", "tracking number"]),
    ("Status meiner Bestellung LR-999999", ["LR-999999", "keine Bestellung"]),
    ("status of my order LR-12345", ["LR-12345", "six digits"]),
    # service facts
    ("Liefert ihr auch nach Österreich?", ["Österreich", "50 €"]),
    ("How long does shipping take?", ["5–7 working days"]),
    ("Kann ich mein Rad zurückgeben?", ["30 Tage"]),
    ("Can I return my e-bike?", ["30 days"]),
    ("Wie lange habe ich Garantie auf den Rahmen?", ["5 Jahre"]),
    ("What's the warranty on the battery?", ["500 charge cycles"]),
    ("Kann ich auf Raten zahlen?", ["0 %", "12 Monate"]),
    ("Which payment methods do you accept?", ["PayPal", "credit card"]),
    ("Wann habt ihr geöffnet?", ["8:00", "18:00"]),
    ("What are your opening hours?", ["8"]),
    ("Wie erreiche ich den Kundenservice telefonisch?", ["+49 761 555 0100"]),
    ("What's your e-mail address?", ["service@lindner-radwerk.example"]),
    ("Wo kann ich eine Probefahrt machen?", ["München", "60"]),
    ("Where can I test ride a bike?", ["Munich", "60"]),
    ("Was kostet eine Inspektion?", ["89 €", "149 €"]),
    ("How often should I get an inspection?", ["12 months", "2,000 km"]),
    ("Bietet ihr Dienstrad-Leasing für Firmen an?", ["5 Mitarbeit"]),
    ("Do you offer company bike leasing?", ["5 employees"]),
    # jobs
    ("Habt ihr offene Stellen in Leipzig?", ["J-101", "J-107", "Leipzig"]),
    ("Do you have any software jobs?", ["J-103", "Embedded Software Engineer"]),
    ("Gibt es Teilzeitstellen?", ["J-105"]),
    ("Erzähl mir mehr über die Stelle als Produktionsplaner", ["J-107", "Leipzig"]),
    ("Tell me about the Key Account Manager job", ["J-104", "30"]),
    ("Wie kann ich mich bewerben?", ["jobs@lindner-radwerk.example", "10 Werktagen"]),
    ("How do I apply?", ["jobs@lindner-radwerk.example", "10 working days"]),
    ("Welche Benefits bietet ihr?", ["30 Tage Urlaub"]),
    ("What benefits do employees get?", ["30 days"]),
    ("Bietet ihr eine Ausbildung an?", ["Zweiradmechatroniker", "2027"]),
    ("Do you offer apprenticeships?", ["2027"]),
    # the conversation itself
    ("Hallo!", ["Lindner Radwerk", "Wie kann ich Ihnen helfen"]),
    ("Hello there", ["Lindner Radwerk", "How can I help"]),
    ("Danke dir!", ["Gern geschehen"]),
    ("thanks a lot", ["You're welcome"]),
    ("Tschüss", ["bis bald"]),
    ("bye", ["see you"]),
    ("Bist du ein Bot?", ["digitaler Assistent"]),
    ("Am I talking to a real person?", ["digital assistant"]),
    ("Was kannst du alles?", ["Bestellung", "Stellen"]),
    ("What can you do?", ["order", "open positions"]),
    ("Ich möchte mit einem Menschen sprechen", ["Team Kundenservice"]),
    ("Can I talk to a human please?", ["Customer Service team"]),
]


@pytest.mark.parametrize("message, expected", SINGLE_TURN, ids=[m for m, _ in SINGLE_TURN])
def test_single_questions_are_answered_from_the_company_data(system: RunningSystem, message: str, expected: List[str]) -> None:
    _contains_all(Chat(system).say(message), expected)


@pytest.mark.parametrize("message", [
    "Was kostet das Stadtrad E7?", "Liefert ihr auch nach Österreich?", "Wie kann ich mich bewerben?", "Hallo!"])
def test_german_replies_use_sie(system: RunningSystem, message: str) -> None:
    reply = Chat(system).say(message)
    assert not any(word in reply.split() for word in ("du", "dich", "dir", "dein", "deine"))


def test_the_order_number_is_asked_for_when_missing(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Wo bleibt meine Bestellung?"), ["Bestellnummer", "LR-"])
    _contains_all(chat.say("12345"), ["sieht nicht wie eine Bestellnummer aus"])
    _contains_all(chat.say("LR-204711"), ["LR-204711"])


def test_order_number_follow_up_in_english(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Where is my order?"), ["order number"])
    _contains_all(chat.say("LR-123456"), ["LR-123456", "shipped"])


def test_recall_check_asks_for_the_batch_number(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Ist mein Akku vom Rückruf betroffen?"), ["2307", "2309", "Chargennummer"])
    _contains_all(chat.say("2308"), ["betroffen", "2308"])
    chat = Chat(system)
    _contains_all(chat.say("battery recall"), ["batch number"])
    _contains_all(chat.say("it's 2301"), ["not part of any recall"])


def test_which_battery_fits_follows_the_product_just_asked_about(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Was kostet das Tour T9?"), ["3.499 €"])
    assert [b["title"] for b in chat.buttons] == ["Welcher Akku passt?"]
    _contains_all(chat.press("Welcher Akku passt?"), ["Akku 750 Wh", "Tour T9"])
    _contains_all(chat.say("und wie schwer ist es?"), ["Tour T9", "750 Wh"])


def test_an_ambiguous_product_gets_a_question_with_buttons(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Was kostet das Stadtrad?"), ["Welches Produkt"])
    assert {b["title"] for b in chat.buttons} == {"Stadtrad E5", "Stadtrad E7"}
    _contains_all(chat.press("Stadtrad E5"), ["2.299 €"])


def test_application_status_needs_reference_and_email(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Wie ist der Stand meiner Bewerbung?"), ["Referenznummer"])
    _contains_all(chat.say("BW-2026-0042"), ["E-Mail-Adresse"])
    _contains_all(chat.say("bewerbung.demo@example.com"), ["BW-2026-0042", "Embedded Software Engineer", "geprüft"])


def test_a_wrong_email_reveals_nothing_not_even_whether_the_reference_exists(system: RunningSystem) -> None:
    def attempt(reference: str) -> str:
        chat = Chat(system)
        chat.say(f"What's the status of my application {reference}?")
        return chat.say("intruder@example.org")

    existing, unknown = attempt("BW-2026-0042"), attempt("BW-2026-9999")
    assert existing == unknown
    assert "BW-2026" not in existing and "Embedded" not in existing and "review" not in existing


def test_repeated_wrong_guesses_are_stopped(system: RunningSystem) -> None:
    chat = Chat(system)
    for guess in range(3):
        chat.say("application status BW-2026-0042")
        _contains_all(chat.say(f"guess{guess}@example.org"), ["can't give any information"])
    # Even the right combination is refused now: guessing has stopped for this conversation.
    _contains_all(chat.say("application status BW-2026-0042, my e-mail is bewerbung.demo@example.com"),
                  ["jobs@lindner-radwerk.example"])


def test_the_reply_follows_the_language_of_each_message(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("Was kostet das Stadtrad E5?"), ["2.299 €"])
    _contains_all(chat.say("And how much is the Stadtrad E7?"), ["€2,799"])
    _contains_all(chat.say("LR-123456"), ["shipped"])  # a bare number keeps the language
    _contains_all(chat.say("Und wie lange dauert der Versand?"), ["Werktage"])


@pytest.mark.parametrize("message, expected", [
    ("was kostet n lastenrad 🤔", ["4.990 €"]),
    ("WIE LANGE HAB ICH GARANTIE", ["2 Jahre"]),
    ("kann ich das rad zurueckgeben", ["30 Tage"]),
    ("hast du jobs in muenchen?", ["J-104", "J-108"]),
    ("Können Sie mir sagen, ob das Gipfel X1 vorrätig ist?", ["Gipfel X1"]),
    ("wheres my odrer LR-123456 😡", ["LR-123456"]),
])
def test_typos_missing_umlauts_du_sie_emojis_and_case(system: RunningSystem, message: str, expected: List[str]) -> None:
    _contains_all(Chat(system).say(message), expected)


def test_unclear_input_gets_one_clarifying_question_then_an_honest_answer(system: RunningSystem) -> None:
    chat = Chat(system)
    first = chat.say("Blöbb fözzel wäbbel")
    _contains_all(first, ["nicht ganz verstanden"])
    second = chat.say("Quark knödel zapp")
    _contains_all(second, ["noch nicht beantworten", "Menschen"])
    _contains_all(chat.press("Ja, bitte"), ["Team Kundenservice"])
    with open_session(system.database_url) as session:
        stored = session.scalars(select(Feedback).where(
            Feedback.kind == "unanswered", Feedback.text.in_(["Blöbb fözzel wäbbel", "Quark knödel zapp"]))).all()
    assert len(stored) == 2
    assert {(q.language, q.channel) for q in stored} == {("de", "rest")}
    assert all(q.created_at is not None and len(q.conversation_ref) == 16 for q in stored)
    assert chat.sender not in {q.conversation_ref for q in stored}


def test_off_topic_questions_are_answered_honestly_and_stored(system: RunningSystem) -> None:
    chat = Chat(system)
    _contains_all(chat.say("What's the weather like in Paris tomorrow?"), ["can't help with that"])
    with open_session(system.database_url) as session:
        stored = session.scalars(select(Feedback).where(
            Feedback.kind == "unanswered", Feedback.text == "What's the weather like in Paris tomorrow?")).one()
    assert stored.language == "en"


def test_the_staff_service_reports_health(system: RunningSystem) -> None:
    from tests.helpers.system import http_json

    assert http_json(f"http://127.0.0.1:{system.console_port}/health") == (200, {"status": "ok", "database": "ok"})
