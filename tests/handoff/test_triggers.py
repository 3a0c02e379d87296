"""Messages that are a case for a particular team, as customers really type them, and messages that are not."""
from __future__ import annotations

from typing import Dict, List

import pytest

from bot.catalog.importer import load
from bot.config import ROOT
from bot.handoff.routing import route
from bot.handoff.triggers import TriggerMatch, find_triggers


@pytest.fixture(scope="module")
def triggers() -> Dict[str, Dict[str, List[str]]]:
    """The trigger terms as the company keeps them in data/company/teams.yaml."""
    teams = load(ROOT / "data" / "company").teams.teams
    return {team.key: team.triggers.dict() if team.triggers else {} for team in teams}


def teams_in(text: str, triggers: Dict[str, Dict[str, List[str]]]) -> List[str]:
    return [match.team_key for match in find_triggers(text, triggers)]


@pytest.mark.parametrize("text", [
    "Was kostet ein neuer Akku? Meiner ist heute heiß geworden und hat geraucht",
    "Hilfe, mein Akku raucht!",
    "Mein Akku ist uberhitzt und riecht komisch",
    "Der Akku ist beim Laden total aufgeblaeht",
    "Ich hatte gestern einen Unfall mit dem Stadtrad E7",
    "Bin mit dem Rad gestuerzt, weil die Bremse versagt hat",
    "Meine Bremsen funktionieren nicht mehr richtig",
    "Die Bremsen versagen bei Nässe",
    "Es gibt einen Riss im Rahmen direkt am Tretlager",
    "Der Rahmen ist gebrochen, zum Glück bin ich nicht verletzt",
    "Mein Sohn hat sich verlezt, der Lenker ist gebrochen",
    "Das Ladegerät hat Feuer gefangen",
    "Im Keller brennt es, der Akku stand am Ladegerät",
    "Der Akku wird beim Laden sehr heiß",
    "Wieso sind meine überhitzten Akkus nicht im Rückruf?",
    "My battery is smoking while charging",
    "The battery got hot and is swollen now",
    "I had an accident yesterday, the brakes failed",
    "There is a crack, I think the frame cracked near the seat tube",
    "my charger caught fire last night",
    "Battery overheated and exploded in the garage",
    "I was injured when the fork broke",
])
def test_safety_incidents_go_to_quality_and_safety(triggers, text: str) -> None:
    assert teams_in(text, triggers) == ["quality_safety"]


@pytest.mark.parametrize("text, term", [
    ("Mein Akku ist uberhitzt", "überhitzt"),
    ("Mein Akku ist ueberhitzt", "überhitzt"),
    ("Wieso sind meine überhitzten Akkus nicht im Rückruf?", "überhitzt"),
    ("Der Akku ist aufgeblaeht", "aufgebläht"),
    ("Mein Akku hat geraucht", "rauch"),
    ("Mein Sohn hat sich verlezt", "verletzt"),
    ("Die Bremsen versagen bei Nässe", "bremse versagt"),
    ("Gebrochen ist zum Glück nur der Rahmen", "rahmen gebrochen"),
    ("Ich schalte die Verbraucherzentrle ein", "verbraucherzentrale"),
    ("Ich möchte Auskunft über meine gespeicherten Daten", "auskunft über meine daten"),
    ("Both of us have injuries", "injury"),
    ("the bateries are overheating", "overheat"),
    ("Die Vorderbremse hat bergab versagt", "bremse versagt"),  # the last part of a compound
    ("Hatte einen Fahrradunfall", "unfall"),
    ("the charger sparked when I plugged it in", "sparks"),  # English endings on English terms
    ("the handlebar is broken", "handlebar broke"),
    ("How do I request deletion of my personal data?", "delete my data"),
])
def test_spelling_inflection_and_word_order_are_forgiven(triggers, text: str, term: str) -> None:
    assert [match.term for match in find_triggers(text, triggers)] == [term]


@pytest.mark.parametrize("text", [
    "Ich werde meinen Anwalt einschalten",
    "Dann verklage ich Sie eben",
    "Ich schalte die Verbraucherzentrale ein",
    "Das ist eine Frechheit, ich schreibe zum dritten Mal!",
    "Unverschaemt, wie Sie mit Kunden umgehen",
    "Ich möchte eine Beschwerde über den Versand einreichen",
    "Sie erhalten eine Abmahnung von meinem Rechtsanwalt",
    "This is unacceptable, my lawyer will contact you",
    "I will sue you if I don't get a refund",
    "I'm writing for the third time about my order",
    "I want to file a complaint about your delivery",
    "I'll go to consumer protection about this",
])
def test_legal_threats_and_angry_complaints_go_to_customer_service(triggers, text: str) -> None:
    assert teams_in(text, triggers) == ["customer_service"]


@pytest.mark.parametrize("text", [
    "Ich möchte Auskunft über meine gespeicherten Daten nach DSGVO",
    "Bitte löschen Sie alle meine Daten",
    "Ich will, dass meine Daten gelöscht werden",
    "Ich widerrufe hiermit meine Einwilligung. Einwilligung widerrufen!",
    "Gab es bei Ihnen eine Datenpanne?",
    "Welche Daten habt ihr über mich gespeichert?",
    "Bitte meine Daten loeschen",
    "Please delete my data",
    "I'd like to make a GDPR data access request",
    "I withdraw my consent to marketing emails",
    "Was there a data breach? My address is on a spam list",
])
def test_data_protection_requests_go_to_data_protection(triggers, text: str) -> None:
    assert teams_in(text, triggers) == ["data_protection"]


@pytest.mark.parametrize("text", [
    "Wir brauchen ein Angebot für unsere Firma über 12 Lastenräder",
    "Können Sie uns ein Angebot für unser Unternehmen machen?",
    "Wir möchten unsere Flotte auf E-Bikes umstellen",
    "Wie kann ich Haendler werden?",
    "Wir planen eine Großbestellung für unser Hotel",
    "Bieten Sie Leasing für Mitarbeiter an?",
    "Do you have a fleet discount?",
    "Could you send us a quote for 20 city bikes?",
    "We are a business customer and need invoices with VAT",
    "How do I become a dealer for your bikes?",
    "We'd like to place a bulk order",
])
def test_business_enquiries_go_to_b2b_sales(triggers, text: str) -> None:
    assert teams_in(text, triggers) == ["b2b_sales"]


@pytest.mark.parametrize("text", [
    "Ich habe einen Verbesserungsvorschlag für die App",
    "I have a feature request: please add a rear light to the kids' bike",
])
def test_product_ideas_go_to_product_management(triggers, text: str) -> None:
    assert teams_in(text, triggers) == ["product_management"]


@pytest.mark.parametrize("text", [
    "Was kostet das Stadtrad E7?",
    "Wie lange dauert der Versand?",
    "Ich suche einen Helm",
    "Wer braucht schon einen Gepäckträger?",
    "Verkauft ihr auch gebrauchte Räder?",
    "Wie heißt der Akku vom Stadtrad E5?",
    "Ist eine Unfallversicherung beim Kauf dabei?",
    "Ist das Trekkingrad T9 teuer?",
    "Habt ihr offene Stellen in Leipzig?",
    "Wie bewerbe ich mich für die Ausbildung?",
    "Meine E-Mail ist lukas.brenner@example.de",
    "Is the battery removable?",
    "Which courier do you use for delivery?",
    "I accidentally ordered two helmets, can I return one?",
    "Are there any job openings for mechanics?",
    "Do you sell fleece jackets?",
    # everyday words a typo away from a trigger term are not taken for it
    "Sie sollten Ratenzahlung anbieten",
    "Könnt ihr die Garantie verlängern?",
    "Ich habe mit dem Händler über den Rahmen gesprochen",
    "Wie hoch ist der Stromverbrauch?",
    # German words and harmless English ones that merely begin like an English term
    "Wir zahlen über unsere Sparkasse",
    "The product images don't load in Firefox",
    "Our hospitality business needs bikes by May",
    "How hot can the garage get before it harms the battery?",
    "The display flickers in bright sun",
])
def test_everyday_questions_trigger_nothing(triggers, text: str) -> None:
    assert find_triggers(text, triggers) == []


@pytest.mark.parametrize("text, negation", [
    ("Kann mich nicht beschweren, das Rad läuft super", "nicht "),
    ("Keine Sorge, ich will euch nicht verklagen. Gibt es Schutzbleche fürs X1?", "nicht "),
    ("Zum Glück hatte ich noch nie einen Unfall, aber welche Versicherung empfehlt ihr?", "nie "),
    ("Can't complain, the bike has been running smoothly for two years", "Can't "),
    ("I'm not one to complain, but the wait for the T9 is long", "not "),
    ("Don't worry, not suing anyone, just asking about mudguards", "not "),
    ("No smoke, no smell, the battery just won't charge", "No "),
])
def test_a_negated_term_is_no_trigger(triggers, text: str, negation: str) -> None:
    assert find_triggers(text.replace(negation, "", 1), triggers)  # without the negation the term is there
    assert find_triggers(text, triggers) == []
    assert route("", text, triggers) is None


@pytest.mark.parametrize("text, team", [
    ("Die Bremse funktioniert nicht, ich bin fast gestürzt", "quality_safety"),  # the negation is part of the term
    ("Der Akku ist nicht mehr zu gebrauchen, er hat gequalmt", "quality_safety"),  # the negation is elsewhere
    ("Kein Witz: Der Akku wird beim Laden heiß", "quality_safety"),  # another clause
    ("Nobody was hurt, but the battery caught fire", "quality_safety"),
    ("Ich habe keine Antwort auf meine Beschwerde bekommen", "customer_service"),  # too far away
    ("Keine Beschwerde, aber mein Anwalt meldet sich", "customer_service"),  # one term of the team is not negated
])
def test_a_negation_elsewhere_leaves_the_trigger(triggers, text: str, team: str) -> None:
    assert teams_in(text, triggers) == [team]


def test_one_match_per_team_in_the_order_given() -> None:
    triggers = {
        "customer_service": {"de": ["anwalt", "beschwerde"], "en": []},
        "quality_safety": {"de": ["unfall"], "en": ["accident"]},
        "hr": {"de": [], "en": []},
    }
    text = "Nach dem Unfall habe ich eine Beschwerde geschrieben und einen Anwalt eingeschaltet"
    assert find_triggers(text, triggers) == [
        TriggerMatch("customer_service", "anwalt"), TriggerMatch("quality_safety", "unfall")]


def test_every_word_of_a_phrase_must_appear() -> None:
    triggers = {"quality_safety": {"de": ["rahmen gebrochen"], "en": []}}
    assert find_triggers("Ist der Rahmen aus Aluminium?", triggers) == []
