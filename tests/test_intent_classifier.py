"""IntentClassifier, our logistic regression on TF-IDF n-grams and sentence vectors: it learns from Rasa training
data, understands what it learnt in German when it is said in English, is stored without pickled code, and loads to
give exactly the predictions it gave when trained."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import ROOT
from bot.nlu import IntentClassifier, UnknownWordsGuard, sentence_vectors

EXAMPLES = {
    "product_price": ["Was kostet das Stadtrad?", "Preis vom Lastenrad", "wie teuer ist das Rad", "how much is the bike"],
    "ask_shipping": ["Wie lange dauert der Versand?", "Liefert ihr nach Österreich?", "shipping costs", "Lieferzeit"],
    "greet": ["Hallo", "Guten Morgen", "hi there", "Moin"],
}


def messages(*texts: str) -> List[Message]:
    return [Message({TEXT: text}) for text in texts]


def train(examples: Dict[str, List[str]], directory: Path) -> IntentClassifier:
    classifier = IntentClassifier.create({"C": 30.0}, LocalModelStorage(directory), Resource("intent_classifier"),
                                         ExecutionContext(GraphSchema({}), "test"))
    classifier.train(TrainingData([Message({TEXT: text, INTENT: intent})
                                   for intent, texts in examples.items() for text in texts]))
    return classifier


@pytest.fixture
def trained(tmp_path: Path) -> IntentClassifier:
    return train(EXAMPLES, tmp_path)


def test_it_ranks_the_intents_by_probability(trained: IntentClassifier) -> None:
    [message] = trained.process(messages("Was kostet das Lastenrad?"))
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT) == ranking[0] and ranking[0]["name"] == "product_price"
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert {r["name"] for r in ranking} == set(EXAMPLES)


def test_umlauts_spelt_out_or_dropped_meet_the_trained_ones(trained: IntentClassifier) -> None:
    for text in ("liefert ihr nach oesterreich", "liefert ihr nach osterreich"):
        [message] = trained.process(messages(text))
        assert message.get(INTENT)["name"] == "ask_shipping", text


def test_sentence_vectors_put_texts_of_like_meaning_close_together_in_either_language() -> None:
    smoke_de, smoke_en, hours = sentence_vectors(["Mein Akku qualmt", "my battery is smoking", "Wann habt ihr auf?"])
    assert smoke_de @ smoke_en > 0.5  # no word in common
    assert smoke_de @ hours < 0.2 and smoke_en @ hours < 0.2


def test_what_it_learnt_in_german_it_understands_in_english(tmp_path: Path) -> None:
    classifier = train({
        "report_safety_issue": ["Mein Akku qualmt", "Die Bremse hat versagt", "Der Rahmen ist gebrochen",
                                "Ich bin gestürzt und habe mich verletzt"],
        "ask_opening_hours": ["Wann habt ihr geöffnet?", "Öffnungszeiten am Samstag?",
                              "Bis wann ist der Laden offen?", "Habt ihr morgen auf?"],
        "product_price": ["Was kostet das Stadtrad?", "Preis vom Lastenrad", "wie teuer ist das Rad",
                          "Gibt es Rabatt?", "Wie viel muss ich für das Stadtrad bezahlen?"],
    }, tmp_path)
    english = {"my battery is smoking": "report_safety_issue", "the brakes failed on the hill": "report_safety_issue",
               "I fell off and hurt my knee": "report_safety_issue",
               "when do you open on saturday?": "ask_opening_hours", "how much is the city bike?": "product_price"}
    for text, intent in english.items():  # without the sentence vectors, one of the five is right
        [message] = classifier.process(messages(text))
        assert message.get(INTENT)["name"] == intent, text


def test_the_loaded_model_predicts_as_the_trained_one(trained: IntentClassifier, tmp_path: Path) -> None:
    texts = ("Hallo!", "Versandkosten nach Wien?", "price of the cargo bike", "Schnurzel")
    before = [m.get(INTENT_RANKING_KEY) for m in trained.process(messages(*texts))]
    stored = {path.name for path in (tmp_path / "intent_classifier").iterdir()}
    assert stored == {"intents.json", "vocabularies.json", "weights.npz"}  # data only, no pickle
    loaded = IntentClassifier.load({"C": 30.0}, LocalModelStorage(tmp_path), Resource("intent_classifier"),
                                   ExecutionContext(GraphSchema({}), "test"))
    after = [m.get(INTENT_RANKING_KEY) for m in loaded.process(messages(*texts))]
    assert [[r["name"] for r in ranking] for ranking in after] == [[r["name"] for r in ranking] for ranking in before]
    assert [[r["confidence"] for r in ranking] for ranking in after] == \
        [pytest.approx([r["confidence"] for r in ranking]) for ranking in before]


def test_an_untrained_classifier_leaves_messages_alone(tmp_path: Path) -> None:
    classifier = IntentClassifier.create({}, LocalModelStorage(tmp_path), Resource("untrained"),
                                         ExecutionContext(GraphSchema({}), "test"))
    [message] = classifier.process(messages("Hallo"))
    assert message.get(INTENT) is None


def test_rasas_training_cache_knows_the_trained_components_by_all_the_code_they_rest_on(monkeypatch) -> None:
    """Rasa keys a cached component by its class's source; an edit to the normalisation must retrain it as well."""
    from rasa.engine.training.fingerprinting import calculate_fingerprint_key

    def keys() -> list:
        return [calculate_fingerprint_key(component, {}, {"training_data": "the same"})
                for component in (IntentClassifier, UnknownWordsGuard)]

    before = keys()
    assert keys() == before
    matching, read_bytes = ROOT / "bot" / "catalog" / "matching.py", Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes",
                        lambda path: read_bytes(path) + (b"\n# edited" if path == matching else b""))
    assert all(new != old for new, old in zip(keys(), before))
