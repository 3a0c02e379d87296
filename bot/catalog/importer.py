"""Import data/company/*.yaml into the database: everything is checked first, then written in one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Tuple, Type

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import schema
from bot.db import models


class ImportProblem(Exception):
    """A data file that cannot be imported; names the file, the entry and what is wrong."""

    def __init__(self, file: Path, problem: str, entry: str = "") -> None:
        self.file, self.entry, self.problem = file, entry, problem
        where = f"{file}" + (f", entry {entry}" if entry else "")
        super().__init__(f"{where}: {problem}")


@dataclass
class CompanyData:
    company: schema.CompanyFile
    products: schema.ProductsFile
    services: schema.ServicesFile
    faq: schema.FaqFile
    recalls: schema.RecallsFile
    jobs: schema.JobsFile
    orders: schema.OrdersFile
    applications: schema.ApplicationsFile
    teams: schema.TeamsFile


def load(data_dir: Path) -> CompanyData:
    """Read and check every file; raise ImportProblem on the first thing that is wrong."""
    parsed: Dict[str, BaseModel] = {}
    for filename, model in schema.FILES.items():
        parsed[filename.removesuffix(".yaml")] = parse(data_dir / filename, model)
    data = CompanyData(**parsed)  # type: ignore[arg-type]
    _check_references(data, data_dir)
    return data


def parse(path: Path, model: Type[BaseModel]) -> BaseModel:
    """One data file, checked against its schema; ImportProblem names the file, the entry and the problem."""
    if not path.exists():
        raise ImportProblem(path, "file is missing")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ImportProblem(path, f"not valid YAML: {error}") from None
    except UnicodeDecodeError:
        raise ImportProblem(path, "not UTF-8 text") from None
    if not isinstance(raw, dict):
        raise ImportProblem(path, "expected a mapping at the top level")
    try:
        return model.parse_obj(raw)
    except ValidationError as error:
        first = error.errors()[0]
        entry, field = _describe_location(raw, first["loc"])
        raise ImportProblem(path, f"{field}: {first['msg']}" if field else first["msg"], entry) from None


def _describe_location(raw: Any, loc: Tuple[Any, ...]) -> Tuple[str, str]:
    """Turn pydantic's ('products', 3, 'price') into ('products[3] (LR-T9)', 'price')."""
    node, entry_parts, index = raw, [], 0
    for index, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            label = next((node[k] for k in ("sku", "ref", "number", "name", "key")
                          if isinstance(node, dict) and isinstance(node.get(k), str)), None)
            entry_parts[-1] = f"{entry_parts[-1]}[{part}]" + (f" ({label})" if label else "")
            return " ".join(entry_parts), ".".join(str(p) for p in loc[index + 1 :])
        entry_parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    if len(loc) >= 2:
        return ".".join(str(p) for p in loc[:-1]), str(loc[-1])
    return "", ".".join(str(p) for p in loc)


def _check_references(data: CompanyData, data_dir: Path) -> None:
    """Names that point elsewhere must exist: categories, fitting parts, departments, jobs, products."""
    categories = set(data.products.categories)
    skus = [p.sku for p in data.products.products]
    _unique(data_dir / "products.yaml", "products", skus)
    for key, group in data.products.groups.items():
        _known(data_dir / "products.yaml", f"groups.{key}", "category", group.categories, categories)
    for i, product in enumerate(data.products.products):
        entry = f"products[{i}] ({product.sku})"
        _known(data_dir / "products.yaml", entry, "category", [product.category], categories)
        _known(data_dir / "products.yaml", entry, "fitting product", product.fits, set(skus))
    for i, recall in enumerate(data.recalls.recalls):
        _known(data_dir / "recalls.yaml", f"recalls[{i}] ({recall.sku})", "product", [recall.sku], set(skus))
    refs = [job.ref for job in data.jobs.jobs]
    _unique(data_dir / "jobs.yaml", "jobs", refs)
    for i, job in enumerate(data.jobs.jobs):
        entry = f"jobs[{i}] ({job.ref})"
        _known(data_dir / "jobs.yaml", entry, "department", [job.department], set(data.jobs.departments))
        _known(data_dir / "jobs.yaml", entry, "job type", job.types, set(data.jobs.job_types))
    _unique(data_dir / "orders.yaml", "orders", [o.number for o in data.orders.orders])
    for i, order in enumerate(data.orders.orders):
        _known(data_dir / "orders.yaml", f"orders[{i}] ({order.number})", "item", order.items, set(skus))
    _unique(data_dir / "applications.yaml", "applications", [a.ref for a in data.applications.applications])
    for i, application in enumerate(data.applications.applications):
        entry = f"applications[{i}] ({application.ref})"
        _known(data_dir / "applications.yaml", entry, "job", [application.job_ref], set(refs))
    _unique(data_dir / "teams.yaml", "teams", [t.key for t in data.teams.teams])
    _unique(data_dir / "services.yaml", "services", [s.key for s in data.services.services])


def _unique(path: Path, what: str, keys: List[str]) -> None:
    seen = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise ImportProblem(path, f"{key} appears more than once", f"{what}[{i}] ({key})")
        seen.add(key)


def _known(path: Path, entry: str, what: str, names: Iterable[str], known: set) -> None:
    for name in names:
        if name not in known:
            raise ImportProblem(path, f"unknown {what} {name!r}", entry)


def _rows(data: CompanyData) -> Dict[Type[Any], List[Any]]:
    """The database rows the files describe, per table, in an order that satisfies foreign keys."""
    c, p, j = data.company, data.products, data.jobs
    terms = [
        models.Term(kind="category", key=k, name_de=v.name.de, name_en=v.name.en, plural_de=v.plural.de,
                    plural_en=v.plural.en, aliases=v.aliases, members=[])
        for k, v in p.categories.items()
    ]
    terms += [
        models.Term(kind="group", key=k, name_de=k, name_en=k, aliases=v.aliases, members=v.categories)
        for k, v in p.groups.items()
    ]
    terms += [
        models.Term(kind=kind, key=k, name_de=v.name.de, name_en=v.name.en, aliases=v.aliases, members=[])
        for kind, table in (("department", j.departments), ("job_type", j.job_types))
        for k, v in table.items()
    ]
    return {
        models.Company: [models.Company(
            id=1, name=c.name, founded=c.founded, employees=c.employees, web=c.web, email=c.email, phone=c.phone,
            jobs_email=c.jobs_email, privacy_email=c.privacy_email, timezone=c.timezone,
            about_de=c.about.de, about_en=c.about.en)],
        models.Term: terms,
        models.Product: [
            models.Product(
                sku=e.sku, name=e.name, category=e.category, price_cents=round(e.price * 100), availability=e.availability.status,
                availability_de=e.availability.text.de, availability_en=e.availability.text.en,
                specs_de=e.specs.de, specs_en=e.specs.en, battery_wh=e.battery_wh, range_km=e.range_km,
                aliases=e.aliases)
            for e in p.products
        ],
        models.ProductFit: [
            models.ProductFit(part_sku=e.sku, product_sku=fit) for e in p.products for fit in e.fits
        ],
        models.Service: [
            models.Service(
                key=s.key, name_de=s.name.de, name_en=s.name.en,
                price_cents=None if s.price is None else round(s.price * 100),
                unit_de=s.unit.de if s.unit else None, unit_en=s.unit.en if s.unit else None,
                description_de=s.description.de, description_en=s.description.en)
            for s in data.services.services
        ],
        models.FaqTopic: [
            models.FaqTopic(topic=k, text_de=v.de, text_en=v.en) for k, v in data.faq.topics.items()
        ],
        models.Recall: [
            models.Recall(id=i + 1, sku=r.sku, batch_from=r.batch_from, batch_to=r.batch_to,
                          reason_de=r.reason.de, reason_en=r.reason.en, remedy_de=r.remedy.de, remedy_en=r.remedy.en)
            for i, r in enumerate(data.recalls.recalls)
        ],
        models.Job: [
            models.Job(
                ref=e.ref, title=e.title, title_en=e.title_en, locations=e.locations, types=e.types,
                department=e.department, summary_de=e.summary.de, summary_en=e.summary.en, aliases=e.aliases,
                starts=e.starts, duration_months=e.duration_months, hybrid=e.hybrid)
            for e in j.jobs
        ],
        models.Order: [models.Order(**o.dict()) for o in data.orders.orders],
        models.Application: [
            models.Application(**{**a.dict(), "email": a.email.lower()}) for a in data.applications.applications
        ],
        models.Team: [
            models.Team(key=t.key, name=t.name, name_en=t.name_en, takes_de=t.takes.de, takes_en=t.takes.en,
                        hours=t.hours, on_call=t.on_call,
                        triggers=t.triggers.dict() if t.triggers else {"de": [], "en": [], "always": False})
            for t in data.teams.teams
        ],
    }


def write(session: Session, data: CompanyData, progress: Callable[[str], None] = lambda _: None) -> Dict[str, int]:
    """Make the tables hold exactly what the files say: rows are merged by key, rows no longer listed removed."""
    counts: Dict[str, int] = {}
    tables = _rows(data)
    for model in reversed(list(tables)):  # children first, so removals never break a foreign key
        wanted = {_key(row) for row in tables[model]}
        for row in session.scalars(select(model)).all():
            if _key(row) not in wanted:
                session.delete(row)
    session.flush()
    for model, rows in tables.items():
        for row in rows:
            session.merge(row)
        counts[model.__tablename__] = len(rows)
        progress(f"  {model.__tablename__:<22} {len(rows):>4} rows")
    return counts


def _key(row: Any) -> Tuple[Any, ...]:
    mapper = row.__mapper__
    return tuple(getattr(row, column.key) for column in mapper.primary_key)


def import_company_data(database_url: str, data_dir: Path, progress: Callable[[str], None] = lambda _: None) -> Dict[str, int]:
    """Check the files, then replace the catalogue in one transaction; on any problem nothing changes."""
    from bot.db import open_session

    progress(f"Checking {data_dir} …")
    data = load(data_dir)
    progress("Writing to the database …")
    with open_session(database_url) as session, session.begin():
        return write(session, data, progress)
