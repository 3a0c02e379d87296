"""EscalationTriggers, the NLU component that lets each team's trigger terms and the classifier's ranking decide
together whether a message goes to a person, and FeedbackCues, which tells feedback about a topic from a question."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.config import ROOT
from bot.nlu import EscalationTriggers, FeedbackCues


@pytest.fixture
def component(tmp_path: Path) -> EscalationTriggers:
    teams = {"teams": [
        {"key": "quality_safety", "triggers": {"always": True, "de": ["rauch"], "en": ["smoke"]}},
        {"key": "b2b_sales", "triggers": {"always": False, "de": ["flotte"], "en": ["fleet"]}},
        {"key": "data_protection",
         "triggers": {"always": True, "de": ["dsgvo"], "en": ["gdpr", "right to be forgotten"]}},
        {"key": "customer_service", "triggers": {"always": True, "de": ["anwalt"], "en": ["lawyer"]}},
    ]}
    path = tmp_path / "teams.yaml"
    path.write_text(yaml.safe_dump(teams), encoding="utf-8")
    return EscalationTriggers(path)


def parsed(component: EscalationTriggers, text: str, ranking: List[Tuple[str, float]]) -> Message:
    message = Message({TEXT: text, INTENT: {"name": ranking[0][0], "confidence": ranking[0][1]},
                       INTENT_RANKING_KEY: [{"name": n, "confidence": c} for n, c in ranking]})
    return component.process([message])[0]


def top(message: Message) -> Tuple[str, float]:
    return message.get(INTENT)["name"], message.get(INTENT)["confidence"]


def test_a_term_of_a_team_marked_always_wins_over_a_sure_classifier(component: EscalationTriggers) -> None:
    message = parsed(component, "Was kostet ein Akku? Meiner hat geraucht",
                     [("product_price", 0.85), ("report_safety_issue", 0.12), ("greet", 0.03)])
    assert top(message) == ("report_safety_issue", 1.0)
    # first in the ranking with a clear lead, so the FallbackClassifier after it does not call it ambiguous
    assert [(r["name"], r["confidence"]) for r in message.get(INTENT_RANKING_KEY)] == [
        ("report_safety_issue", 1.0), ("product_price", 0.425), ("greet", 0.015)]


def test_a_term_the_classifier_all_but_rules_out_is_a_harmless_use_of_the_word(component: EscalationTriggers) -> None:
    harmless = parsed(component, "Wie viel Rauch macht ein Grillabend auf dem Lastenrad? 😄",
                      [("out_of_scope", 0.9), ("report_safety_issue", 0.05), ("greet", 0.05)])
    assert top(harmless) == ("out_of_scope", 0.9)
    supported = parsed(component, "Aus dem Akku kommt Rauch, wie lange hält die Garantie?",
                       [("ask_warranty", 0.9), ("report_safety_issue", 0.08), ("greet", 0.02)])
    assert top(supported) == ("report_safety_issue", 1.0)


def test_other_teams_terms_need_a_fair_share_of_the_ranking(component: EscalationTriggers) -> None:
    sure = parsed(component, "Welche Flotten betreut der Key Account Manager?", [("job_details", 0.9), ("x", 0.1)])
    assert top(sure) == ("job_details", 0.9)
    fair = parsed(component, "Was kostet eine Flotte?",
                  [("product_price", 0.4), ("ask_leasing", 0.35), ("business_inquiry", 0.25)])
    assert top(fair) == ("business_inquiry", 1.0)
    little = parsed(component, "Welche Flotte fährt die Post?",
                    [("out_of_scope", 0.6), ("greet", 0.35), ("business_inquiry", 0.05)])
    assert top(little) == ("out_of_scope", 0.6)


def test_safety_as_runner_up_goes_first(component: EscalationTriggers) -> None:
    message = parsed(component, "Tolles Rad, nur die Bremse hat neulich versagt",
                     [("praise", 0.6), ("report_safety_issue", 0.3), ("bug_report", 0.1)])
    assert top(message) == ("report_safety_issue", 1.0)


def test_a_term_of_another_team_wins_over_an_as_urgent_escalation_without_terms(component: EscalationTriggers) -> None:
    forgotten = parsed(component, "I'm exercising my right to be forgotten. Erase everything.",
                       [("complaint", 0.41), ("praise", 0.1), ("data_protection_request", 0.08)])
    assert top(forgotten) == ("data_protection_request", 1.0)
    lawyer = parsed(component, "Mein Anwalt schreibt euch wegen der DSGVO",
                    [("complaint", 0.6), ("data_protection_request", 0.3), ("greet", 0.1)])
    assert top(lawyer) == ("complaint", 0.6)  # as urgent, and backed by a term of its own
    safety = parsed(component, "Der Akku ist ganz dick geworden. Und löscht meine Daten nach DSGVO",
                    [("report_safety_issue", 0.5), ("data_protection_request", 0.5)])
    assert top(safety) == ("report_safety_issue", 0.5)  # more urgent


def test_an_unsure_escalation_without_any_of_its_teams_terms_gives_way(component: EscalationTriggers) -> None:
    message = parsed(component, "Speichert ihr meine Bestellungen?",
                     [("data_protection_request", 0.28), ("order_status", 0.27), ("ask_payment", 0.15)])
    assert top(message) == ("order_status", 0.27)
    sure = parsed(component, "Was wisst ihr über mich?", [("data_protection_request", 0.8), ("greet", 0.2)])
    assert top(sure) == ("data_protection_request", 0.8)
    person = parsed(component, "Mensch bitte", [("request_human", 0.5), ("greet", 0.2)])  # no terms for it
    assert top(person) == ("request_human", 0.5)
    safety = parsed(component, "Die Bremse ist komisch", [("report_safety_issue", 0.45), ("product_specs", 0.4)])
    assert top(safety) == ("report_safety_issue", 1.0)  # safety is never doubted


@pytest.fixture(scope="module")
def cues() -> FeedbackCues:
    return FeedbackCues(ROOT / "data" / "feedback" / "cues.yaml")


@pytest.mark.parametrize("text, classified, expected", [
    ("Die Servicezeiten sind viel zu kurz", "ask_hours", "criticism"),  # about opening hours, yet criticism
    ("Sind die Servicezeiten zu kurz?", "ask_hours", "ask_hours"),  # a question stays a question
    ("Eine Frontlampe mit Fernlicht wäre super", "product_specs", "feature_request"),  # praise in the conditional
    ("a front basket for the E5 would look great", "product_specs", "feature_request"),
    ("Im Store wurde das Rad perfekt eingestellt", "ask_test_ride", "praise"),  # 'wurde' is no 'würde'
    ("Die Lieferung war nicht so toll", "ask_shipping", "criticism"),  # praise denied
    ("not impressed with the E5, it just feels average", "product_specs", "criticism"),
    ("Super, danke", "thank", "thank"),  # small talk is never feedback
    ("Das Rad ist toll, aber der Akku raucht", "report_safety_issue", "report_safety_issue"),  # a case for a person
])
def test_feedback_cues_tell_feedback_from_questions(cues: FeedbackCues, text: str, classified: str,
                                                     expected: str) -> None:
    message = Message({TEXT: text, INTENT: {"name": classified, "confidence": 0.6},
                       INTENT_RANKING_KEY: [{"name": classified, "confidence": 0.6}]})
    assert cues.process([message])[0].get(INTENT)["name"] == expected
