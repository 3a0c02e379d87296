"""Numbers, dates and lists the way German and English readers expect them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def price(cents: int, language: str) -> str:
    """2.299 € in German, €2,299 in English; cents only where there are any."""
    value = Decimal(cents) / 100
    cents = value != value.to_integral_value()
    text = f"{value:,.2f}" if cents else f"{value:,.0f}"
    if language == "en":
        return f"€{text}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + " €"


def day(value: date, language: str) -> str:
    if language == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.day}. {MONTHS_DE[value.month - 1]} {value.year}"


def bullet_list(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def join_words(words: Iterable[str], language: str) -> str:
    """'A, B und C' / 'A, B and C'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    conjunction = " and " if language == "en" else " und "
    return ", ".join(items[:-1]) + conjunction + items[-1]
