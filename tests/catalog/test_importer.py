"""Importing the company's data files: complete, repeatable, and all-or-nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.catalog.importer import ImportProblem, import_company_data
from bot.db import open_session
from bot.db.models import Application, Job, Order, Product, ProductFit, Team
from tests.conftest import COMPANY_DATA
from tests.helpers.database import snapshot


def test_every_fact_of_the_demo_company_is_imported(company_db: str) -> None:
    with open_session(company_db) as session:
        assert {p.sku for p in session.query(Product)} == {
            "LR-E5", "LR-E7", "LR-T9", "LR-C2", "LR-X1", "LR-K20", "LR-A500", "LR-A625", "LR-A750", "LR-L4",
            "LR-H1", "LR-S1"}
        e7 = session.get(Product, "LR-E7")
        assert (e7.name, e7.price_cents, e7.battery_wh, e7.range_km) == ("Stadtrad E7", 279900, 625, 140)
        assert session.get(ProductFit, ("LR-A625", "LR-E7")) is not None
        assert session.get(Product, "LR-X1").availability == "sold_out"
        assert {j.ref for j in session.query(Job)} == {f"J-10{i}" for i in range(1, 9)}
        assert session.get(Job, "J-102").locations == ["Freiburg", "Leipzig"]
        assert {t.name for t in session.query(Team)} == {
            "Kundenservice", "Vertrieb B2B", "Personal", "Produktmanagement", "Qualität & Sicherheit", "Datenschutz"}
        assert session.query(Order).count() >= 4 and session.query(Application).count() >= 4


def test_importing_twice_changes_nothing(company_db: str) -> None:
    before = snapshot(company_db)
    import_company_data(company_db, COMPANY_DATA)
    assert snapshot(company_db) == before


def test_a_product_removed_from_the_file_is_removed_from_the_database(company_db: str, tmp_path: Path) -> None:
    data = _copy_of_company_data(tmp_path)
    products = yaml.safe_load((data / "products.yaml").read_text())
    products["products"] = [p for p in products["products"] if p["sku"] != "LR-L4"]  # the charger: in no order
    for product in products["products"]:
        product["fits"] = [sku for sku in product.get("fits", []) if sku != "LR-L4"]
    (data / "products.yaml").write_text(yaml.safe_dump(products, allow_unicode=True))
    import_company_data(company_db, data)
    with open_session(company_db) as session:
        assert session.get(Product, "LR-L4") is None
        assert session.get(Product, "LR-E7") is not None


def _copy_of_company_data(tmp_path: Path) -> Path:
    target = tmp_path / "company"
    shutil.copytree(COMPANY_DATA, target)
    return target


def _edit(data: Path, filename: str, change) -> None:  # type: ignore[no-untyped-def]
    path = data / filename
    content = yaml.safe_load(path.read_text())
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True))


def _set_t9_price(value):  # type: ignore[no-untyped-def]
    def change(content):  # type: ignore[no-untyped-def]
        next(p for p in content["products"] if p["sku"] == "LR-T9")["price"] = value
    return change


@pytest.mark.parametrize("filename, change, expected", [
    ("products.yaml", _set_t9_price("teuer"), ["products.yaml", "LR-T9", "price", "not a valid float"]),
    ("products.yaml", _set_t9_price(-5), ["products.yaml", "LR-T9", "price", "positive"]),
    ("products.yaml", lambda c: c["products"][0].update(category="hoverboard"),
     ["products.yaml", "LR-E5", "unknown category 'hoverboard'"]),
    ("products.yaml", lambda c: c["products"][8].update(fits=["LR-E99"]), ["products.yaml", "LR-A750", "unknown fitting product 'LR-E99'"]),
    ("jobs.yaml", lambda c: c["jobs"][2].pop("title"), ["jobs.yaml", "J-103", "title", "field required"]),
    ("orders.yaml", lambda c: c["orders"][0].update(number="123456"), ["orders.yaml", "orders[0]", "number"]),
    ("teams.yaml", lambda c: c["teams"][0]["hours"].update(mon=["8 bis 18"]), ["teams.yaml", "Kundenservice", "8 bis 18"]),
    ("teams.yaml", lambda c: c["escalation"].update(fallback_team="Hausmeister"), ["teams.yaml", "Hausmeister"]),
    ("teams.yaml", lambda c: c["escalation"]["remind_after_minutes"].pop("high"),
     ["teams.yaml", "remind_after_minutes", "critical, high, normal"]),
    ("faq.yaml", lambda c: c["topics"].pop("returns"), ["faq.yaml", "returns"]),
    ("applications.yaml", lambda c: c["applications"][0].update(job_ref="J-999"), ["applications.yaml", "J-999"]),
])
def test_a_malformed_file_names_file_entry_and_problem_and_changes_nothing(
        company_db: str, tmp_path: Path, filename: str, change, expected: list) -> None:  # type: ignore[no-untyped-def]
    data = _copy_of_company_data(tmp_path)
    # A valid change elsewhere must not be written either: the import is all or nothing.
    _edit(data, "products.yaml", lambda c: c["products"][1].update(price=1))
    _edit(data, filename, change)
    before = snapshot(company_db)
    with pytest.raises(ImportProblem) as problem:
        import_company_data(company_db, data)
    for fragment in expected:
        assert fragment in str(problem.value)
    assert snapshot(company_db) == before


def test_broken_yaml_and_missing_files_are_reported(company_db: str, tmp_path: Path) -> None:
    data = _copy_of_company_data(tmp_path)
    (data / "jobs.yaml").write_text("jobs: [unclosed\n")
    with pytest.raises(ImportProblem, match=r"jobs.yaml: not valid YAML"):
        import_company_data(company_db, data)
    (data / "jobs.yaml").unlink()
    with pytest.raises(ImportProblem, match=r"jobs.yaml: file is missing"):
        import_company_data(company_db, data)


def test_the_import_command_exits_with_a_message(company_db: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    data = _copy_of_company_data(tmp_path)
    _edit(data, "products.yaml", _set_t9_price("teuer"))
    monkeypatch.setenv("DATABASE_URL", company_db)
    assert main(["import", "--data", str(data)]) == 2
    assert "Import stopped, nothing was changed" in capsys.readouterr().err
    assert main(["import"]) == 0
