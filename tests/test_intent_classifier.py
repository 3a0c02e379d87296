"""IntentClassifier, our TF-IDF logistic regression: it learns from Rasa training data, is stored without pickled
code, and loads to give exactly the predictions it gave when trained."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import IntentClassifier

EXAMPLES = {
    "product_price": ["Was kostet das Stadtrad?", "Preis vom Lastenrad", "wie teuer ist das Rad", "how much is the bike"],
    "ask_shipping": ["Wie lange dauert der Versand?", "Liefert ihr nach Österreich?", "shipping costs", "Lieferzeit"],
    "greet": ["Hallo", "Guten Morgen", "hi there", "Moin"],
}


def messages(*texts: str) -> List[Message]:
    return [Message({TEXT: text}) for text in texts]


@pytest.fixture
def trained(tmp_path: Path) -> IntentClassifier:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = IntentClassifier.create({"C": 30.0}, storage, Resource("intent_classifier"), context)
    data = TrainingData([Message({TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts])
    classifier.train(data)
    return classifier


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
