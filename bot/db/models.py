"""Our tables: the company's catalogue and the things customers tell us. Rasa's own tables live beside them."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    select,
)
from sqlalchemy.orm import column_property, declarative_base

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A timestamp read back from the database, with its time zone: SQLite returns ours naive, and they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Company(Base):
    """The company itself: one row."""

    __tablename__ = "company"
    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    founded = Column(Integer, nullable=False)
    employees = Column(Integer, nullable=False)
    web = Column(String(200), nullable=False)
    email = Column(String(200), nullable=False)
    phone = Column(String(50), nullable=False)
    jobs_email = Column(String(200), nullable=False)
    privacy_email = Column(String(200), nullable=False)
    timezone = Column(String(50), nullable=False)
    about_de = Column(Text, nullable=False)
    about_en = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"<Company {self.name}>"


class Term(Base):
    """A word group customers use: product categories and groups of them, job departments and job types."""

    __tablename__ = "catalog_terms"
    kind = Column(String(30), primary_key=True)  # category, group, department, job_type
    key = Column(String(50), primary_key=True)
    name_de = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    plural_de = Column(String(200))
    plural_en = Column(String(200))
    aliases = Column(JSON, nullable=False, default=list)
    members = Column(JSON, nullable=False, default=list)  # a group's categories

    def __repr__(self) -> str:
        return f"<Term {self.kind}:{self.key}>"


class Product(Base):
    __tablename__ = "products"
    sku = Column(String(30), primary_key=True)
    name = Column(String(200), nullable=False)
    category = Column(String(50), nullable=False, index=True)
    price_cents = Column(Integer, nullable=False)
    availability = Column(String(20), nullable=False)  # in_stock, low_stock, backorder, sold_out
    availability_de = Column(String(300), nullable=False)
    availability_en = Column(String(300), nullable=False)
    specs_de = Column(JSON, nullable=False, default=list)
    specs_en = Column(JSON, nullable=False, default=list)
    battery_wh = Column(Integer)
    range_km = Column(Integer)
    aliases = Column(JSON, nullable=False, default=list)

    def __repr__(self) -> str:
        return f"<Product {self.sku} {self.name}>"


class ProductFit(Base):
    """A part (battery, charger) that fits a product."""

    __tablename__ = "product_fits"
    part_sku = Column(String(30), ForeignKey("products.sku", ondelete="CASCADE"), primary_key=True)
    product_sku = Column(String(30), ForeignKey("products.sku", ondelete="CASCADE"), primary_key=True)

    def __repr__(self) -> str:
        return f"<ProductFit {self.part_sku}->{self.product_sku}>"


class Service(Base):
    __tablename__ = "services"
    key = Column(String(50), primary_key=True)
    name_de = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    price_cents = Column(Integer)
    unit_de = Column(String(100))
    unit_en = Column(String(100))
    description_de = Column(Text, nullable=False)
    description_en = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"<Service {self.key}>"


class FaqTopic(Base):
    __tablename__ = "faq_topics"
    topic = Column(String(50), primary_key=True)
    text_de = Column(Text, nullable=False)
    text_en = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"<FaqTopic {self.topic}>"


class Recall(Base):
    __tablename__ = "recalls"
    id = Column(Integer, primary_key=True)
    sku = Column(String(30), ForeignKey("products.sku", ondelete="CASCADE"), nullable=False)
    batch_from = Column(Integer, nullable=False)
    batch_to = Column(Integer, nullable=False)
    reason_de = Column(Text, nullable=False)
    reason_en = Column(Text, nullable=False)
    remedy_de = Column(Text, nullable=False)
    remedy_en = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"<Recall {self.sku} {self.batch_from}-{self.batch_to}>"


class Job(Base):
    __tablename__ = "jobs"
    ref = Column(String(20), primary_key=True)
    title = Column(String(200), nullable=False)
    title_en = Column(String(200), nullable=False)
    locations = Column(JSON, nullable=False, default=list)
    types = Column(JSON, nullable=False, default=list)
    department = Column(String(50), nullable=False)
    summary_de = Column(Text, nullable=False)
    summary_en = Column(Text, nullable=False)
    aliases = Column(JSON, nullable=False, default=list)
    starts = Column(Date)
    duration_months = Column(Integer)
    hybrid = Column(Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return f"<Job {self.ref} {self.title}>"


class Order(Base):
    __tablename__ = "orders"
    number = Column(String(20), primary_key=True)
    status = Column(String(20), nullable=False)  # received, in_production, shipped, delivered
    items = Column(JSON, nullable=False, default=list)
    ordered_on = Column(Date, nullable=False)
    updated_on = Column(Date, nullable=False)
    expected_on = Column(Date)
    carrier = Column(String(100))
    tracking_number = Column(String(100))

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


class Application(Base):
    __tablename__ = "applications"
    ref = Column(String(20), primary_key=True)
    email = Column(String(200), nullable=False)
    job_ref = Column(String(20), nullable=False)
    stage = Column(String(30), nullable=False)  # received, in_review, interview_scheduled, offer, declined
    updated_on = Column(Date, nullable=False)
    interview_on = Column(Date)

    def __repr__(self) -> str:
        return f"<Application {self.ref} {self.stage}>"


class Team(Base):
    __tablename__ = "teams"
    key = Column(String(50), primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    name_en = Column(String(100), nullable=True)  # what English-speaking customers and readers see; else the name
    takes_de = Column(Text, nullable=False)
    takes_en = Column(Text, nullable=False)
    hours = Column(JSON, nullable=False, default=dict)  # weekday -> ["HH:MM-HH:MM", ...]
    on_call = Column(Boolean, nullable=False, default=False)
    triggers = Column(JSON, nullable=False, default=dict)  # language -> terms that hand a chat to this team

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


FEEDBACK_KINDS = ("feature_request", "bug_report", "praise", "criticism", "unanswered", "rating")


class Feedback(Base):
    """What a customer taught us: a wish, a bug, praise, criticism, a question we could not answer, or a rating.

    The text is redacted before it is stored, and the conversation is referred to only by its pseudonym.
    """

    __tablename__ = "feedback"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False, index=True)  # one of FEEDBACK_KINDS
    text = Column(Text, nullable=False, default="")  # redacted; a rating's optional comment
    rating = Column(Integer)  # 1–5, for kind rating
    sku = Column(String(20), index=True)  # the product it was about, when known
    language = Column(String(5), nullable=False)
    channel = Column(String(50), nullable=False)
    conversation_ref = Column(String(64), nullable=False, index=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id", ondelete="SET NULL"), index=True)  # rated handoff
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<Feedback {self.id} {self.kind} {self.language}>"


class ProcessedUpdate(Base):
    """A platform delivery already handled (Telegram update_id, Messenger mid): repeats are answered once."""

    __tablename__ = "processed_updates"
    channel = Column(String(30), primary_key=True)
    key = Column(String(200), primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ProcessedUpdate {self.channel}:{self.key}>"


class OutboxMessage(Base):
    """A reply the platform did not accept yet; delivered later, in order, so no reply is lost."""

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    recipient = Column(String(100), nullable=False)
    payload = Column(JSON, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True), index=True)
    given_up_at = Column(DateTime(timezone=True))  # the platform said it will never accept it

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel}:{self.recipient}>"


class PendingChoice(Base):
    """The options last offered as a numbered list (channels without buttons), so '2' means the second one."""

    __tablename__ = "pending_choices"
    channel = Column(String(30), primary_key=True)
    recipient = Column(String(100), primary_key=True)
    payloads = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<PendingChoice {self.channel}:{self.recipient}>"


PRIORITIES = ("critical", "high", "normal")  # an escalation's priority, most urgent first


class Escalation(Base):
    """A conversation handed to a person: written before anything else happens, so nothing is lost."""

    __tablename__ = "escalations"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(30), nullable=False)
    team = Column(String(100), nullable=False, index=True)  # the team's name in teams.yaml
    priority = Column(String(10), nullable=False)  # critical, high, normal
    reason = Column(String(50), nullable=False)  # safety, legal, complaint, data_protection, person, business, ...
    status = Column(String(10), nullable=False, default="open", index=True)  # open, claimed, closed
    language = Column(String(5), nullable=False)
    context = Column(JSON, nullable=False, default=list)  # the last messages before the escalation
    claimed_by = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True))
    first_staff_reply_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    notified_at = Column(DateTime(timezone=True))  # the card reached the staff group
    reminded_at = Column(DateTime(timezone=True))  # unclaimed: reminded, then the fallback team
    reminders = Column(Integer, nullable=False, default=0)
    fallback_team = Column(String(100))  # called on by the second reminder: may take it over as well
    card_message_id = Column(Integer)  # the card in the staff group; replies to it go to the customer
    topic_id = Column(Integer)  # its forum topic in the staff group (message_thread_id), when topics are on
    # 1–5, asked when the conversation is handed back; stored as feedback
    rating = column_property(select(Feedback.rating).where(Feedback.escalation_id == id, Feedback.kind == "rating")
                             .order_by(Feedback.id.desc()).limit(1).scalar_subquery())

    def __repr__(self) -> str:
        return f"<Escalation {self.id} {self.team} {self.priority} {self.status}>"


class EscalationMessage(Base):
    """What was said while a person had the conversation: the customer's messages and the staff's replies."""

    __tablename__ = "escalation_messages"
    id = Column(Integer, primary_key=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column(String(10), nullable=False)  # customer, staff
    author = Column(String(100))  # the staff account, e.g. kundenservice-1
    text = Column(Text, nullable=False)
    rasa_event_id = Column(Integer, unique=True)  # a customer message read from Rasa's record, forwarded once
    forwarded_at = Column(DateTime(timezone=True))  # reached the staff group
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<EscalationMessage {self.escalation_id} {self.sender}>"


class ReportDelivery(Base):
    """A weekly report sent (or still being tried) to one target: the staff Telegram group or e-mail."""

    __tablename__ = "report_deliveries"
    week = Column(String(8), primary_key=True)  # 2026-W47
    target = Column(String(20), primary_key=True)  # telegram, email
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    sent_at = Column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<ReportDelivery {self.week} {self.target}>"
