"""Catalogue questions as customers and applicants type them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.catalog import queries
from bot.db.models import Application, Product


@pytest.mark.parametrize("text, skus", [
    ("Was kostet das Stadtrad E7?", ["LR-E7"]),
    ("Was kostet das Stadrad E7?", ["LR-E7"]),
    ("preis stadtrad-e5", ["LR-E5"]),
    ("How much is the LR-T9?", ["LR-T9"]),
    ("lr c2 gewicht", ["LR-C2"]),
    ("Ist der Gipfl X1 lieferbar?", ["LR-X1"]),
    ("akku 625 preis", ["LR-A625"]),
    ("Flitzi für meine Tochter", ["LR-K20"]),
    ("wie teuer ist das wetter", []),
])
def test_products_are_found_by_name_sku_and_misspelling(db, text: str, skus: list) -> None:
    assert [p.sku for p in queries.find_products(db, text)] == skus


@pytest.mark.parametrize("text, skus", [
    ("was kostet ein lastenrad", ["LR-C2"]),
    ("Stadtrad", ["LR-E5", "LR-E7"]),
    ("habt ihr Fahrradhelme", ["LR-H1"]),
    ("ein Ersatzakku", ["LR-A500", "LR-A625", "LR-A750"]),
])
def test_a_kind_of_product_gives_every_product_of_that_kind(db, text: str, skus: list) -> None:
    assert queries.find_products(db, text) == []
    assert [p.sku for p in queries.products_of_kind(db, text)] == skus


def test_what_fits_what(db) -> None:
    e7 = db.get(Product, "LR-E7")
    assert [p.sku for p in queries.parts_for(db, e7)] == ["LR-A625", "LR-L4"]
    a750 = db.get(Product, "LR-A750")
    assert [p.sku for p in queries.fits(db, a750)] == ["LR-T9", "LR-X1"]


@pytest.mark.parametrize("text, skus", [
    ("E-Bikes unter 3000 Euro", ["LR-E5", "LR-E7"]),
    ("e-bikes below 3.000 €", ["LR-E5", "LR-E7"]),
    ("Welche Lastenräder habt ihr?", ["LR-C2"]),
    ("Lastenraeder", ["LR-C2"]),
    ("Zubehör bis 100 €", ["LR-S1", "LR-H1"]),
    ("sofort lieferbare E-Bikes über 4000 Euro", ["LR-C2"]),
    ("mountainbikes", ["LR-X1"]),
    ("city bikes under 2500 euros", ["LR-E5"]),
    ("kinderfahrrad", ["LR-K20"]),
])
def test_product_search_by_category_price_and_availability(db, text: str, skus: list) -> None:
    query = queries.parse_product_query(db, text)
    assert [p.sku for p in queries.search_products(db, query)] == skus


def test_in_stock_only_excludes_backorders_and_sold_out(db) -> None:
    found = queries.search_products(db, queries.parse_product_query(db, "was ist sofort lieferbar?"))
    assert found and {p.availability for p in found} <= {"in_stock", "low_stock"}
    assert not {"LR-T9", "LR-X1"} & {p.sku for p in found}


@pytest.mark.parametrize("batch, product, affected", [
    (2307, None, True), (2308, None, True), (2309, None, True), (2306, None, False), (2310, None, False),
    (2308, "LR-A625", False), (2308, "LR-A500", True),
])
def test_recall_by_batch_number(db, batch: int, product, affected: bool) -> None:  # type: ignore[no-untyped-def]
    named = db.get(Product, product) if product else None
    check = queries.check_recall(db, batch, named)
    assert (check.recall is not None) == affected
    if affected:
        assert check.product.sku == "LR-A500"


@pytest.mark.parametrize("text, batch", [
    ("Charge 2308", 2308), ("mein akku hat die nummer 2310", 2310), ("batch no. 2307, is it affected?", 2307),
    ("Akku LR-A500", None), ("Bestellung LR-123456", None), ("kein Etikett", None),
])
def test_batch_numbers_are_read_from_the_message(text: str, batch) -> None:  # type: ignore[no-untyped-def]
    assert queries.parse_batch(text) == batch


@pytest.mark.parametrize("text, outcome, number", [
    ("Wo ist LR-123456?", "found", "LR-123456"),
    ("status of lr 123456 please", "found", "LR-123456"),
    ("LR-999999", "unknown", "LR-999999"),
    ("LR-12345", "malformed", "LR-12345"),
    ("meine Nummer ist 1234567", "malformed", "1234567"),
    ("Wo bleibt meine Bestellung?", "missing", ""),
    ("Wo bleibt mein Stadtrad E7?", "missing", ""),
])
def test_order_numbers(db, text: str, outcome: str, number: str) -> None:
    lookup = queries.order_status(db, text)
    assert (lookup.outcome, lookup.number) == (outcome, number)
    if outcome == "found":
        assert lookup.order.status and lookup.items


@pytest.mark.parametrize("text, refs", [
    ("Jobs in Leipzig", ["J-101", "J-102", "J-107"]),
    ("jobs in munich", ["J-104", "J-108"]),
    ("Teilzeit in Freiburg", ["J-105"]),
    ("software jobs", ["J-103"]),
    ("Werkstudent", ["J-106"]),
    ("Ausbildung", ["J-102"]),
    ("offene Stellen", ["J-101", "J-102", "J-103", "J-104", "J-105", "J-106", "J-107", "J-108"]),
])
def test_job_search(db, text: str, refs: list) -> None:
    assert [j.ref for j in queries.search_jobs(db, queries.parse_job_query(db, text))] == refs


@pytest.mark.parametrize("text, refs", [
    ("Was macht ein Produktionsplaner?", ["J-107"]),
    ("tell me about the embedded software engineer role", ["J-103"]),
    ("J-104", ["J-104"]),
    ("Infos zur Stelle als Kundenservice-Mitarbeiter", ["J-105"]),
])
def test_job_details_by_title_or_reference(db, text: str, refs: list) -> None:
    assert [j.ref for j in queries.find_jobs(db, text)] == refs


def test_application_status_needs_reference_and_matching_email(db) -> None:
    application = db.scalars(select(Application).order_by(Application.ref)).first()
    assert queries.application_status(db, application.ref, application.email.upper()) == application
    assert queries.application_status(db, application.ref, "someone.else@example.com") is None
    assert queries.application_status(db, "BW-2099-9999", application.email) is None


def test_reference_and_email_are_read_from_messages() -> None:
    assert queries.parse_application_ref("meine Nummer: bw 2026 0042") == "BW-2026-0042"
    assert queries.parse_email("Ich bin Max.Muster@Example.com, danke") == "max.muster@example.com"
