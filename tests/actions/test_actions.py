"""Actions on hand-built trackers: what the assistant says and remembers, without starting Rasa."""
from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.common
from actions.conversation import ActionContinue, ActionHandleUnclear
from actions.handoff import ActionEscalate
from actions.jobs import ActionApplicationStatus
from actions.products import ActionAnswerProduct
from bot.db import open_session
from bot.feedback.store import feedback
from bot.handoff import service


@pytest.fixture(autouse=True)
def settings(company_db: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(actions.common, "SETTINGS",
                        dataclasses.replace(actions.common.SETTINGS, database_url=company_db, var_dir=tmp_path))


def _user(text: str, intent: str, entities: Optional[List[dict]] = None) -> Dict[str, Any]:
    return {"event": "user", "text": text, "input_channel": "rest",
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or [], "text": text}}


def _run(action: Any, text: str, intent: str, slots: Optional[dict] = None, history: Optional[List[dict]] = None,
         entities: Optional[List[dict]] = None) -> tuple:
    latest = _user(text, intent, entities)
    tracker = Tracker("conversation-1", {"language": "de", **(slots or {})}, latest["parse_data"],
                      [*(history or []), latest], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return [m["response"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_a_bare_order_number_continues_the_question_for_it() -> None:
    said, slots = _run(ActionContinue(), "LR-123456", "inform", {"pending_request": "order_number"})
    assert said == ["utter_order_shipped"]
    assert slots["pending_request"] is None


def test_no_after_a_question_for_a_number_ends_it() -> None:
    said, slots = _run(ActionContinue(), "nein, lassen Sie nur", "deny", {"pending_request": "order_number"})
    assert said == ["utter_anything_else"] and slots["pending_request"] is None


def test_yes_after_the_offer_of_a_person_escalates_to_customer_service(company_db: str) -> None:
    said, _ = _run(ActionContinue(), "ja", "affirm", {"pending_request": "person"})
    assert said[0] in ("utter_handoff_now", "utter_handoff_later")
    with open_session(company_db) as session:
        escalation = service.open_escalation(session, "conversation-1")
    assert (escalation.team, escalation.priority, escalation.reason) == ("Kundenservice", "normal", "person")


def test_unclear_twice_in_a_row_is_admitted_and_both_questions_are_stored(company_db: str) -> None:
    first, _ = _run(ActionHandleUnclear(), "Wie fizzelt der Blubb?", "nlu_fallback")
    assert first == ["utter_clarify"]
    second, slots = _run(ActionHandleUnclear(), "Quark zapp", "nlu_fallback",
                         history=[_user("Wie fizzelt der Blubb?", "nlu_fallback")])
    assert second == ["utter_cannot_answer"] and slots["pending_request"] == "person"
    with open_session(company_db) as session:
        stored = feedback(session, kind="unanswered")
    assert [(q.text, q.language, q.channel) for q in stored] == [
        ("Wie fizzelt der Blubb?", "de", "rest"), ("Quark zapp", "de", "rest")]
    assert len({q.conversation_ref for q in stored}) == 1 and stored[0].conversation_ref != "conversation-1"


def test_application_status_asks_for_reference_then_email() -> None:
    said, slots = _run(ActionApplicationStatus(), "Wie steht meine Bewerbung?", "application_status")
    assert said == ["utter_ask_application_ref"] and slots["pending_request"] == "application_ref"
    said, slots = _run(ActionContinue(), "BW-2026-0042", "inform", {"pending_request": "application_ref"})
    assert said == ["utter_ask_application_email"] and slots["application_ref"] == "BW-2026-0042"


def test_three_wrong_emails_lock_the_check_for_the_conversation() -> None:
    said, slots = _run(ActionApplicationStatus(), "BW-2026-0042 wrong@example.org", "application_status",
                       {"verification_failures": 2})
    assert said == ["utter_application_not_verified"] and slots["verification_failures"] == 3
    said, _ = _run(ActionApplicationStatus(), "BW-2026-0042 bewerbung.demo@example.com", "application_status",
                   {"verification_failures": 3})
    assert said == ["utter_application_locked"]


def test_which_battery_fits_uses_the_bike_in_context() -> None:
    said, slots = _run(ActionAnswerProduct(), "Welcher Akku passt?", "product_compatibility", {"product_sku": "LR-E7"})
    assert said == ["utter_bike_parts"] and slots["product_sku"] == "LR-E7"


def test_an_ambiguous_name_asks_which_product() -> None:
    said, _ = _run(ActionAnswerProduct(), "Was kostet das Stadtrad?", "product_price")
    assert said == ["utter_which_product"]


@pytest.mark.parametrize("typed, comment", [
    ("5", ""), ("4 Sterne", ""), ("Ich gebe 3 von 5 Sternen", ""), ("5/5", ""), ("I give it 4 stars", ""),
    ("4 Sterne, aber die Wartezeit war lang", "4 Sterne, aber die Wartezeit war lang"),
    ("2 - nobody called me back", "2 - nobody called me back"),
])
def test_a_typed_rating_keeps_only_real_words_as_its_comment(typed: str, comment: str) -> None:
    from actions.feedback import _comment

    assert _comment(typed) == comment


@pytest.mark.parametrize("language, team", [("de", "Qualität & Sicherheit"), ("en", "Quality & Safety")])
def test_the_customer_is_told_the_team_in_their_language(language: str, team: str) -> None:
    latest = _user("Mein Akku raucht!", "report_safety_issue")
    tracker = Tracker("conversation-1", {"language": language}, latest["parse_data"], [latest], False, None, {},
                      "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionEscalate().run(dispatcher, tracker, {}))
    told = [m for m in dispatcher.messages if m["response"] in ("utter_handoff_now", "utter_handoff_later")]
    assert [m["team"] for m in told] == [team]
