"""The shape of data/company/*.yaml, checked before anything is written to the database."""
from __future__ import annotations

import re
from datetime import date
from typing import Dict, List, Literal, Optional

from pydantic import BaseModel, Extra, conint, constr, validator

from bot.db.models import PRIORITIES

HOURS_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NonEmpty = constr(strip_whitespace=True, min_length=1)


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Text(Strict):
    """A text shown to customers, in German and English."""

    de: NonEmpty  # type: ignore[valid-type]
    en: NonEmpty  # type: ignore[valid-type]


class CompanyFile(Strict):
    name: NonEmpty  # type: ignore[valid-type]
    founded: conint(ge=1800, le=2100)  # type: ignore[valid-type]
    employees: conint(ge=1)  # type: ignore[valid-type]
    web: NonEmpty  # type: ignore[valid-type]
    email: NonEmpty  # type: ignore[valid-type]
    phone: NonEmpty  # type: ignore[valid-type]
    jobs_email: NonEmpty  # type: ignore[valid-type]
    privacy_email: NonEmpty  # type: ignore[valid-type]
    timezone: NonEmpty  # type: ignore[valid-type]
    about: Text


class Category(Strict):
    name: Text
    plural: Text
    aliases: List[NonEmpty] = []  # type: ignore[valid-type]


class Group(Strict):
    categories: List[NonEmpty]  # type: ignore[valid-type]
    aliases: List[NonEmpty] = []  # type: ignore[valid-type]


class Availability(Strict):
    status: Literal["in_stock", "low_stock", "backorder", "sold_out"]
    text: Text


class Specs(Strict):
    de: List[NonEmpty]  # type: ignore[valid-type]
    en: List[NonEmpty]  # type: ignore[valid-type]


class ProductEntry(Strict):
    sku: constr(regex=r"^[A-Z]{2}-[A-Z0-9]+$")  # type: ignore[valid-type]
    name: NonEmpty  # type: ignore[valid-type]
    aliases: List[NonEmpty] = []  # type: ignore[valid-type]
    category: NonEmpty  # type: ignore[valid-type]
    price: float
    availability: Availability
    specs: Specs
    battery_wh: Optional[conint(gt=0)] = None  # type: ignore[valid-type]
    range_km: Optional[conint(gt=0)] = None  # type: ignore[valid-type]
    fits: List[NonEmpty] = []  # type: ignore[valid-type]

    @validator("price")
    def _price_positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive amount in euros")
        return value


class ProductsFile(Strict):
    categories: Dict[str, Category]
    groups: Dict[str, Group] = {}
    products: List[ProductEntry]


class ServiceEntry(Strict):
    key: NonEmpty  # type: ignore[valid-type]
    name: Text
    price: Optional[float] = None
    unit: Optional[Text] = None
    description: Text


class ServicesFile(Strict):
    services: List[ServiceEntry]


FAQ_TOPICS = (
    "shipping", "returns", "warranty", "payment", "hours", "contact", "test_ride", "inspection",
    "leasing", "company", "recall", "how_to_apply", "benefits", "apprenticeship",
)


class FaqFile(Strict):
    topics: Dict[str, Text]

    @validator("topics")
    def _all_topics(cls, topics: Dict[str, Text]) -> Dict[str, Text]:
        missing = [topic for topic in FAQ_TOPICS if topic not in topics]
        if missing:
            raise ValueError(f"topics missing: {', '.join(missing)}")
        return topics


class RecallEntry(Strict):
    sku: NonEmpty  # type: ignore[valid-type]
    batch_from: conint(ge=0)  # type: ignore[valid-type]
    batch_to: conint(ge=0)  # type: ignore[valid-type]
    reason: Text
    remedy: Text

    @validator("batch_to")
    def _ordered(cls, value: int, values: dict) -> int:
        if "batch_from" in values and value < values["batch_from"]:
            raise ValueError("batch_to is before batch_from")
        return value


class RecallsFile(Strict):
    recalls: List[RecallEntry]


class NamedTerm(Strict):
    name: Text
    aliases: List[NonEmpty] = []  # type: ignore[valid-type]


class JobEntry(Strict):
    ref: constr(regex=r"^J-\d+$")  # type: ignore[valid-type]
    title: NonEmpty  # type: ignore[valid-type]
    title_en: NonEmpty  # type: ignore[valid-type]
    locations: List[NonEmpty]  # type: ignore[valid-type]
    types: List[NonEmpty]  # type: ignore[valid-type]
    department: NonEmpty  # type: ignore[valid-type]
    summary: Text
    aliases: List[NonEmpty] = []  # type: ignore[valid-type]
    starts: Optional[date] = None
    duration_months: Optional[conint(gt=0)] = None  # type: ignore[valid-type]
    hybrid: bool = False


class JobsFile(Strict):
    departments: Dict[str, NamedTerm]
    job_types: Dict[str, NamedTerm]
    jobs: List[JobEntry]


class OrderEntry(Strict):
    number: constr(regex=r"^LR-\d{6}$")  # type: ignore[valid-type]
    status: Literal["received", "in_production", "shipped", "delivered"]
    items: List[NonEmpty]  # type: ignore[valid-type]
    ordered_on: date
    updated_on: date
    expected_on: Optional[date] = None
    carrier: Optional[str] = None
    tracking_number: Optional[str] = None


class OrdersFile(Strict):
    orders: List[OrderEntry]


class ApplicationEntry(Strict):
    ref: constr(regex=r"^BW-\d{4}-\d{4}$")  # type: ignore[valid-type]
    email: constr(regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # type: ignore[valid-type]
    job_ref: NonEmpty  # type: ignore[valid-type]
    stage: Literal["received", "in_review", "interview_scheduled", "offer", "declined"]
    updated_on: date
    interview_on: Optional[date] = None


class ApplicationsFile(Strict):
    applications: List[ApplicationEntry]


class Terms(Strict):
    """Words and phrases customers write, in German and English."""

    de: List[NonEmpty] = []  # type: ignore[valid-type]
    en: List[NonEmpty] = []  # type: ignore[valid-type]


class Triggers(Terms):
    """A team's trigger terms. `always`: a term hands the chat to the team even where the classifier is sure the
    message is about something else (an accident, a lawyer, a deletion request), unless it all but rules the team
    out; otherwise only where the classifier gives the team a fair share (bot.nlu.EscalationTriggers)."""

    always: bool = False


class TeamEntry(Strict):
    name: NonEmpty  # type: ignore[valid-type]
    name_en: Optional[NonEmpty] = None  # type: ignore[valid-type]  # shown in English; the name when missing
    key: NonEmpty  # type: ignore[valid-type]
    takes: Text
    hours: Dict[str, List[str]] = {}
    on_call: bool = False
    triggers: Optional[Triggers] = None

    @validator("hours")
    def _hours(cls, hours: Dict[str, List[str]]) -> Dict[str, List[str]]:
        for day, ranges in hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
            for span in ranges:
                if not HOURS_RANGE.match(span):
                    raise ValueError(f"{day}: {span!r} is not a time range like 08:00-18:00")
        return hours


class EscalationPolicy(Strict):
    """When an unclaimed escalation is announced again in the staff group (minutes after the card or the last
    reminder, per priority), and which team the second reminder calls on."""

    remind_after_minutes: Dict[str, conint(gt=0)] = {"critical": 2, "high": 10, "normal": 30}  # type: ignore[valid-type]
    fallback_team: NonEmpty = "Kundenservice"  # type: ignore[valid-type]

    @validator("remind_after_minutes")
    def _every_priority(cls, minutes: Dict[str, int]) -> Dict[str, int]:
        if set(minutes) != set(PRIORITIES):
            raise ValueError(f"give minutes for exactly {', '.join(PRIORITIES)}")
        return minutes


class TeamsFile(Strict):
    escalation: EscalationPolicy = EscalationPolicy()
    teams: List[TeamEntry]

    @validator("teams")
    def _fallback_team_exists(cls, teams: List[TeamEntry], values: Dict[str, object]) -> List[TeamEntry]:
        policy = values.get("escalation")
        if isinstance(policy, EscalationPolicy) and policy.fallback_team not in {team.name for team in teams}:
            raise ValueError(f"escalation.fallback_team {policy.fallback_team!r} is not one of the teams")
        return teams


FILES = {
    "company.yaml": CompanyFile,
    "products.yaml": ProductsFile,
    "services.yaml": ServicesFile,
    "faq.yaml": FaqFile,
    "recalls.yaml": RecallsFile,
    "jobs.yaml": JobsFile,
    "orders.yaml": OrdersFile,
    "applications.yaml": ApplicationsFile,
    "teams.yaml": TeamsFile,
}
