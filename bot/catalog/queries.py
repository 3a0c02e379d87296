"""Answers to customers' and applicants' questions, straight from the database."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.matching import best_matches, normalize, tokens, word_similarity
from bot.db.models import Application, Company, FaqTopic, Job, Order, Product, ProductFit, Recall, Term

SKU = re.compile(r"\b([a-z]{2})[- ]?([a-z]\d{1,4})\b", re.IGNORECASE)
ORDER_NUMBER = re.compile(r"\bLR[- ]?(\d{6})\b", re.IGNORECASE)
ORDER_NUMBER_LIKE = re.compile(r"\bLR[- ]?\d{1,12}\b|\b\d{5,8}\b", re.IGNORECASE)
APPLICATION_REF = re.compile(r"\bBW[- ]?(\d{4})[- ]?(\d{4})\b", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
BATCH = re.compile(r"\b(\d{4})\b")
AVAILABLE_NOW = ("in_stock", "low_stock")


# ── products ────────────────────────────────────────────────────────────────────────────────────────────────

def find_products(session: Session, text: str) -> List[Product]:
    """Products the text names by SKU or by (misspelt) name, most specific first ('Passt der Akku 750 Wh zum E7?')."""
    products = session.scalars(select(Product).order_by(Product.price_cents)).all()
    by_sku = {p.sku.lower(): p for p in products}
    named = [by_sku[f"{a}-{b}".lower()] for a, b in SKU.findall(text) if f"{a}-{b}".lower() in by_sku]
    if named:
        return list(dict.fromkeys(named))
    matches = best_matches(text, ((p.sku, [p.name, *p.aliases]) for p in products))
    return [by_sku[m.key.lower()] for m in matches]


def products_of_kind(session: Session, text: str) -> List[Product]:
    """Every product of the kind the text names ('lastenrad', 'Akku', 'Stadtrad'), which may be just one."""
    categories = session.scalars(select(Term).where(Term.kind == "category")).all()
    keys = {m.key for m in best_matches(text, ((t.key, [t.name_de, t.name_en, *t.aliases]) for t in categories))}
    statement = select(Product).where(Product.category.in_(keys)).order_by(Product.price_cents)
    return list(session.scalars(statement)) if keys else []


def parts_for(session: Session, product: Product) -> List[Product]:
    """Batteries and chargers that fit a bike."""
    query = select(Product).join(ProductFit, ProductFit.part_sku == Product.sku).where(
        ProductFit.product_sku == product.sku).order_by(Product.category, Product.price_cents)
    return list(session.scalars(query))


def fits(session: Session, part: Product) -> List[Product]:
    """Bikes a battery or charger fits."""
    query = select(Product).join(ProductFit, ProductFit.product_sku == Product.sku).where(
        ProductFit.part_sku == part.sku).order_by(Product.price_cents)
    return list(session.scalars(query))


@dataclass(frozen=True)
class ProductQuery:
    """What a product search asks for; empty fields mean 'any'."""

    categories: Sequence[str] = ()
    max_price: Optional[int] = None  # whole euros
    min_price: Optional[int] = None
    available_now: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.categories or self.max_price or self.min_price or self.available_now)


_AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,]\d{1,2})?\s*(?:k\b)?"
_MAX_PRICE = re.compile(
    r"(?:unter|unterhalb|bis|maximal|max\.?|hoechstens|weniger als|nicht mehr als|billiger als|guenstiger als|"
    r"under|below|up to|max(?:imum)?|less than|cheaper than|no more than|within)\s*(?:euro\s*)?" + _AMOUNT)
_MIN_PRICE = re.compile(
    r"(?:ueber|mehr als|ab|mindestens|teurer als|over|above|more than|at least|from)\s*(?:euro\s*)?" + _AMOUNT)
_AVAILABLE_WORDS = ("lieferbar", "auf lager", "vorraetig", "verfuegbar", "sofort", "in stock", "available",
                    "right away", "immediately")


def _amount(match: "re.Match[str]") -> int:
    """Whole euros: '3.000', '3,000', '3000' and '3k' are all 3000."""
    value = int(re.sub(r"[.,]", "", match.group(1)))
    return value * 1000 if match.group(0).rstrip().endswith("k") else value


def parse_product_query(session: Session, text: str) -> ProductQuery:
    """Read categories, a price limit and 'in stock only' out of a search like 'E-Bikes unter 3000 Euro'."""
    normalized = normalize(text)
    terms = session.scalars(select(Term).where(Term.kind.in_(("category", "group")))).all()
    matches = best_matches(text, ((f"{t.kind}:{t.key}", [t.name_de, t.name_en, t.plural_de or "", t.plural_en or "",
                                                        *t.aliases]) for t in terms if t.kind == "category"))
    matches += best_matches(text, ((f"group:{t.key}", t.aliases) for t in terms if t.kind == "group"))
    groups = {t.key: t.members for t in terms if t.kind == "group"}
    categories: List[str] = []
    for match in matches:
        kind, key = match.key.split(":", 1)
        categories.extend(groups[key] if kind == "group" else [key])
    # A named category is more specific than a group that contains it ('Lastenräder' beats the 'rad' in it).
    specific = [m.key.split(":", 1)[1] for m in matches if m.key.startswith("category:")]
    if specific:
        categories = specific
    max_match, min_match = _MAX_PRICE.search(normalized), _MIN_PRICE.search(normalized)
    return ProductQuery(
        categories=tuple(dict.fromkeys(categories)),
        max_price=_amount(max_match) if max_match else None,
        min_price=_amount(min_match) if min_match and not (max_match and min_match.start() == max_match.start()) else None,
        available_now=any(word in normalized for word in _AVAILABLE_WORDS),
    )


def search_products(session: Session, query: ProductQuery) -> List[Product]:
    statement = select(Product).order_by(Product.price_cents)
    if query.categories:
        statement = statement.where(Product.category.in_(query.categories))
    if query.max_price is not None:
        statement = statement.where(Product.price_cents <= query.max_price * 100)
    if query.min_price is not None:
        statement = statement.where(Product.price_cents >= query.min_price * 100)
    if query.available_now:
        statement = statement.where(Product.availability.in_(AVAILABLE_NOW))
    return list(session.scalars(statement))


# ── recall ──────────────────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class RecallCheck:
    batch: int
    recall: Optional[Recall]
    product: Optional[Product]


def parse_batch(text: str) -> Optional[int]:
    """A four-digit production batch ('Charge 2308'), ignoring anything that is part of an SKU or order number."""
    cleaned = ORDER_NUMBER.sub(" ", SKU.sub(" ", text))
    match = BATCH.search(cleaned)
    return int(match.group(1)) if match else None


def check_recall(session: Session, batch: int, product: Optional[Product] = None) -> RecallCheck:
    """Whether a batch is recalled; for a named product only that product's recalls count."""
    statement = select(Recall).where(Recall.batch_from <= batch, Recall.batch_to >= batch)
    if product is not None:
        statement = statement.where(Recall.sku == product.sku)
    recall = session.scalars(statement).first()
    recalled_product = session.get(Product, recall.sku) if recall else product
    return RecallCheck(batch, recall, recalled_product)


# ── orders ──────────────────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class OrderLookup:
    """found, unknown (well-formed but not ours), malformed (looks like a number but isn't one) or missing."""

    outcome: str
    number: str = ""
    order: Optional[Order] = None
    items: List[Product] = field(default_factory=list)


def parse_order_number(text: str) -> OrderLookup:
    match = ORDER_NUMBER.search(text)
    if match:
        return OrderLookup("unknown", f"LR-{match.group(1)}")
    cleaned = SKU.sub(" ", text)
    like = ORDER_NUMBER_LIKE.search(cleaned)
    if like:
        return OrderLookup("malformed", like.group(0))
    return OrderLookup("missing")


def order_status(session: Session, text: str) -> OrderLookup:
    """Look up the order number in the text; say why when there is none or it is malformed."""
    parsed = parse_order_number(text)
    if parsed.outcome != "unknown":
        return parsed
    order = session.get(Order, parsed.number)
    if order is None:
        return parsed
    items = [p for p in (session.get(Product, sku) for sku in order.items) if p is not None]
    return OrderLookup("found", order.number, order, items)


# ── jobs and applications ───────────────────────────────────────────────────────────────────────────────────

JOB_REF = re.compile(r"\bJ-?(\d{3})\b", re.IGNORECASE)
CITY_ALIASES = {"München": ("muenchen", "munich", "munchen", "munic"), "Freiburg": ("freiburg",),
                "Leipzig": ("leipzig",)}


@dataclass(frozen=True)
class JobQuery:
    city: Optional[str] = None
    job_type: Optional[str] = None
    department: Optional[str] = None


def parse_job_query(session: Session, text: str) -> JobQuery:
    """Read a city, job type and department out of 'Teilzeit in Freiburg' or 'software jobs'."""
    words = tokens(text)
    locations = {loc for job in session.scalars(select(Job)) for loc in job.locations}
    city = next((loc for loc in sorted(locations)
                 if any(word_similarity(alias, w) >= 88 for alias in (normalize(loc), *CITY_ALIASES.get(loc, ()))
                        for w in words)), None)
    terms = session.scalars(select(Term).where(Term.kind.in_(("job_type", "department")))).all()

    def best(kind: str) -> Optional[str]:
        found = best_matches(text, ((t.key, [t.name_de, t.name_en, *t.aliases]) for t in terms if t.kind == kind))
        return found[0].key if found else None

    return JobQuery(city=city, job_type=best("job_type"), department=best("department"))


def search_jobs(session: Session, query: JobQuery) -> List[Job]:
    jobs = session.scalars(select(Job).order_by(Job.ref)).all()
    return [job for job in jobs
            if (query.city is None or query.city in job.locations)
            and (query.job_type is None or query.job_type in job.types)
            and (query.department is None or job.department == query.department)]


def find_jobs(session: Session, text: str) -> List[Job]:
    """Jobs the text names by reference (J-103) or by (misspelt) title."""
    jobs = session.scalars(select(Job).order_by(Job.ref)).all()
    refs = {f"J-{n}" for n in JOB_REF.findall(text)}
    if refs:
        return [job for job in jobs if job.ref in refs]
    matches = best_matches(text, ((j.ref, [_plain_title(j.title), _plain_title(j.title_en), *j.aliases]) for j in jobs))
    if not matches:
        return []
    top = matches[0]
    by_ref = {job.ref: job for job in jobs}
    return [by_ref[m.key] for m in matches if m.length == top.length and m.score >= top.score - 3]


def _plain_title(title: str) -> str:
    return re.sub(r"\(.*?\)", "", title).strip()


def term_name(session: Session, kind: str, key: str, language: str) -> str:
    term = session.get(Term, (kind, key))
    return getattr(term, f"name_{language}") if term else key


def parse_application_ref(text: str) -> Optional[str]:
    match = APPLICATION_REF.search(text)
    return f"BW-{match.group(1)}-{match.group(2)}" if match else None


def parse_email(text: str) -> Optional[str]:
    match = EMAIL.search(text)
    return match.group(0).lower() if match else None


def application_status(session: Session, ref: str, email: str) -> Optional[Application]:
    """The application, only when reference and e-mail address belong together; None reveals nothing else."""
    application = session.get(Application, ref.upper())
    stored = application.email if application else "\0" * len(email)
    if hmac.compare_digest(stored.encode(), email.lower().encode()) and application is not None:
        return application
    return None


# ── company facts ───────────────────────────────────────────────────────────────────────────────────────────

def faq(session: Session, topic: str, language: str) -> str:
    row = session.get(FaqTopic, topic)
    if row is None:
        raise LookupError(f"no FAQ topic {topic!r} in the company data")
    return row.text_en if language == "en" else row.text_de


def company(session: Session) -> Company:
    row = session.get(Company, 1)
    if row is None:
        raise LookupError("company data not imported: run `python -m bot import`")
    return row
