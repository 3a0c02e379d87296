"""A Rasa NLU component that tags every message with its language, so the `language` slot follows the user."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language import detect

ENTITY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageTagger(GraphComponent):
    """Adds a `language` entity (de/en) when the message shows its language; says nothing for 'ok' or a number."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageTagger":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            language: Optional[str] = detect(message.get(TEXT) or "")
            if language:
                entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
                entities.append({"entity": ENTITY, "value": language, "start": 0, "end": 0,
                                 "confidence_entity": 1.0, "extractor": self.__class__.__name__})
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
