"""Product questions: price, specs, availability, what fits what, searching the range, the battery recall."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import PENDING, BotAction, entity, intent, language, message_text
from bot.catalog import format, queries
from bot.db.models import Product

PARTS = ("battery", "charger")


def _mentioned_products(tracker: Tracker, db: Session) -> List[Product]:
    """Products named in the message or by a button; else a kind it names ('lastenrad'); else the one in context."""
    text = entity(tracker, "sku") or message_text(tracker)
    found = queries.find_products(db, text) or queries.products_of_kind(db, text)
    if not found and tracker.get_slot("product_sku"):
        found = [p for p in [db.get(Product, tracker.get_slot("product_sku"))] if p]
    return found


def _ask_which(dispatcher: CollectingDispatcher, question: str, candidates: List[Product]) -> None:
    buttons = [{"title": p.name, "payload": f'/{question}{{"sku":"{p.sku}"}}'} for p in candidates[:8]]
    dispatcher.utter_message(response="utter_which_product", buttons=buttons)


def _line(product: Product, lang: str) -> str:
    return f"{product.name} – {format.price(product.price_cents, lang)} ({getattr(product, f'availability_{lang}')})"


def answer_product(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session, question: str) -> List[Dict[str, Any]]:
    lang = language(tracker)
    if question == "product_compatibility":
        return _answer_fit(dispatcher, tracker, db, lang)
    products = _mentioned_products(tracker, db)
    if len(products) != 1:
        _ask_which(dispatcher, question, products or queries.search_products(db, queries.ProductQuery()))
        return []
    product = products[0]
    values = dict(name=product.name, sku=product.sku, price=format.price(product.price_cents, lang),
                  availability=getattr(product, f"availability_{lang}"),
                  specs=format.bullet_list(getattr(product, f"specs_{lang}")))
    dispatcher.utter_message(response=f"utter_{question}", **values)  # utter_product_price, _specs, _availability
    if queries.parts_for(db, product):
        dispatcher.utter_message(response="utter_offer_parts", name=product.name)
    return [SlotSet("product_sku", product.sku)]


def _answer_fit(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session, lang: str) -> List[Dict[str, Any]]:
    """'Welcher Akku passt zum E7?', 'Wofür passt der Akku 750 Wh?', 'Passt der Akku 750 Wh zum E7?'.

    Right after a bike was the topic, 'Welcher Akku passt?' is about that bike.
    """
    text = entity(tracker, "sku") or message_text(tracker)
    named = queries.find_products(db, text)
    in_context = [p for p in [db.get(Product, tracker.get_slot("product_sku") or "")] if p]
    parts = [p for p in named if p.category in PARTS]
    bikes = ([p for p in named if p.category not in PARTS]
             or [p for p in queries.products_of_kind(db, text) if p.category not in PARTS]
             or ([] if parts else [p for p in in_context if p.category not in PARTS]))
    if len(bikes) > 1:
        _ask_which(dispatcher, "product_compatibility", bikes)
        return []
    if bikes:
        bike, fitting = bikes[0], queries.parts_for(db, bikes[0])
        for part in parts:
            if part in fitting:
                dispatcher.utter_message(response="utter_fit_yes", part=part.name, product=bike.name)
            else:
                alternatives = [p.name for p in fitting if p.category == part.category]
                dispatcher.utter_message(response="utter_fit_no", part=part.name, product=bike.name,
                                         alternatives=format.join_words(alternatives, lang) or "–")
        if not parts and fitting:
            dispatcher.utter_message(response="utter_bike_parts", name=bike.name,
                                     parts=format.bullet_list(_line(p, lang) for p in fitting))
        elif not parts:
            dispatcher.utter_message(response="utter_no_parts", name=bike.name)
        return [SlotSet("product_sku", bike.sku)]
    parts = parts or [p for p in queries.products_of_kind(db, text) + in_context if p.category in PARTS]
    if not parts:
        every = queries.search_products(db, queries.ProductQuery())
        _ask_which(dispatcher, "product_compatibility", [p for p in every if queries.parts_for(db, p)])
        return []
    lines = [f"{part.name} ({format.price(part.price_cents, lang)}): "
             f"{format.join_words((p.name for p in queries.fits(db, part)), lang)}" for part in dict.fromkeys(parts)]
    dispatcher.utter_message(response="utter_part_fits", fits=format.bullet_list(lines))
    return [SlotSet("product_sku", parts[0].sku)] if len(parts) == 1 else []


class ActionAnswerProduct(BotAction):
    """Price, specs, availability or fitting parts of one product."""

    def name(self) -> str:
        return "action_answer_product"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        return answer_product(dispatcher, tracker, db, intent(tracker) or "product_price")


class ActionSearchProducts(BotAction):
    """'E-Bikes unter 3000 Euro', 'Welche Lastenräder habt ihr?', 'Was ist sofort lieferbar?'."""

    def name(self) -> str:
        return "action_search_products"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        lang = language(tracker)
        query = queries.parse_product_query(db, message_text(tracker))
        found = queries.search_products(db, query)
        if query.is_empty:
            dispatcher.utter_message(response="utter_search_overview", items=format.bullet_list(_line(p, lang) for p in found))
            return []
        if found:
            dispatcher.utter_message(response="utter_search_results", count=len(found),
                                     items=format.bullet_list(_line(p, lang) for p in found))
            return [SlotSet("product_sku", found[0].sku)] if len(found) == 1 else []
        # Nothing matches every wish: show what comes closest, the same kind of product without the price limit.
        closest = queries.search_products(db, queries.ProductQuery(categories=query.categories))[:3]
        dispatcher.utter_message(response="utter_search_none",
                                 items=format.bullet_list(_line(p, lang) for p in closest))
        return []


def answer_recall(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
    lang = language(tracker)
    text = message_text(tracker)
    raw_batch = entity(tracker, "batch_number")
    batch = int(raw_batch) if raw_batch and raw_batch.isdigit() else queries.parse_batch(text)
    if batch is None:
        dispatcher.utter_message(response="utter_recall_info", answer=queries.faq(db, "recall", lang))
        dispatcher.utter_message(response="utter_ask_batch_number")
        return [SlotSet(PENDING, "batch_number")]
    named = [p for p in queries.find_products(db, text) if p.category == "battery"]
    product: Optional[Product] = named[0] if len(named) == 1 else None
    check = queries.check_recall(db, batch, product)
    if check.recall is not None:
        dispatcher.utter_message(response="utter_recall_affected", batch=batch, product=check.product.name,
                                 reason=getattr(check.recall, f"reason_{lang}"),
                                 remedy=getattr(check.recall, f"remedy_{lang}"))
    else:
        dispatcher.utter_message(response="utter_recall_not_affected", batch=batch)
    return []


class ActionCheckRecall(BotAction):
    """Is my battery part of the recall? Checked by its four-digit batch number."""

    def name(self) -> str:
        return "action_check_recall"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> List[Dict[str, Any]]:
        return answer_recall(dispatcher, tracker, db)
