"""The Rasa project itself: valid data, both languages everywhere, and every response the actions use exists."""
from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set

import yaml

from bot.config import ROOT

RESPONSES = yaml.safe_load((ROOT / "domain" / "responses.yml").read_text(encoding="utf-8"))["responses"]
INTENTS = yaml.safe_load((ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))["intents"]
BUTTON_INTENTS = {"rate"}
# Escalations are evaluated by bench/escalation_eval.py on bench/data/escalation_test_*.yml, per team.
ESCALATION_INTENTS = {"report_safety_issue", "complaint", "data_protection_request", "business_inquiry"}  # mostly sent by buttons; a few typed forms are trained
RESPONSE_IN_ACTION = re.compile(r'response=f?"(utter_[^"]+)"')


def _responses_uttered_by_actions() -> Set[str]:
    """Response names the actions use; f-string names like utter_order_{status} match every completion."""
    patterns = {name for path in (ROOT / "actions").glob("*.py") for name in RESPONSE_IN_ACTION.findall(path.read_text())}
    return {response for response in RESPONSES for pattern in patterns
            if re.fullmatch(re.sub(r"\{[^}]*\}", "[a-z_]+", pattern), response)}


def test_rasa_data_validate_passes_and_warns_only_about_responses_that_actions_use() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "data/nlu", "data/rules.yml"],
        cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    warnings = re.findall(r"UserWarning: (.*)", output)
    not_in_rules = {m for w in warnings for m in re.findall(r"The utterance '(\w+)' is not used in any story or rule", w)}
    # Intents staff trigger through Rasa's API (EXTERNAL_...) have no training examples by design.
    other = [w for w in warnings if "is not used in any story or rule" not in w
             and not re.match(r"The intent 'EXTERNAL_\w+' is listed in the domain file, but is not found in the NLU", w)]
    assert other == []
    assert not_in_rules <= _responses_uttered_by_actions()


def test_every_response_an_action_uses_exists() -> None:
    patterns = {name for path in (ROOT / "actions").glob("*.py") for name in RESPONSE_IN_ACTION.findall(path.read_text())}
    for pattern in patterns:
        assert any(re.fullmatch(re.sub(r"\{[^}]*\}", "[a-z_]+", pattern), r) for r in RESPONSES), pattern
    for status in ("received", "in_production", "shipped", "delivered"):
        assert f"utter_order_{status}" in RESPONSES
    for stage in ("received", "in_review", "interview_scheduled", "offer", "declined"):
        assert f"utter_application_{stage}" in RESPONSES


def test_every_response_speaks_german_by_default_and_english_when_asked() -> None:
    for name, variations in RESPONSES.items():
        default = [v for v in variations if "condition" not in v]
        english = [v for v in variations if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]]
        assert len(default) == 1 and len(english) == 1, name
        assert set(re.findall(r"\{(\w+)\}", default[0]["text"])) == set(re.findall(r"\{(\w+)\}", english[0]["text"])), name
        assert len(default[0].get("buttons", [])) == len(english[0].get("buttons", [])), name
        assert not re.search(r"\b(du|dich|dir|dein|deine|deinen|hast|kannst|willst)\b", default[0]["text"]), name


def test_button_titles_fit_every_channel() -> None:
    """Messenger cuts quick-reply titles after 20 characters."""
    for name, variations in RESPONSES.items():
        for variation in variations:
            for button in variation.get("buttons", []):
                assert len(button["title"]) <= 20, (name, button["title"])


def test_every_intent_has_german_and_english_training_examples() -> None:
    counts: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for language in ("de", "en"):
        for path in (ROOT / "data" / "nlu" / language).glob("*.yml"):
            for intent, texts in _messages(path).items():
                counts[intent][language] += len(texts)
    for intent in INTENTS:
        if intent.startswith("EXTERNAL_"):
            continue
        least = 8 if intent in BUTTON_INTENTS else 20
        assert counts[intent]["de"] >= least and counts[intent]["en"] >= least, (intent, dict(counts[intent]))


def _messages(path: Path) -> Dict[str, Set[str]]:
    """Intent → its examples, without entity markup and in lowercase, as a duplicate would be spotted."""
    found: Dict[str, Set[str]] = defaultdict(set)
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block.get("examples", "").splitlines():
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip().removeprefix("- ")).lower()
            if text:
                found[block.get("intent", "")].add(text)
    return found


def test_the_held_out_test_set_is_never_trained_on() -> None:
    training = {text for path in (ROOT / "data" / "nlu").rglob("*.yml") for texts in _messages(path).values()
                for text in texts}
    for language in ("de", "en"):
        test = _messages(ROOT / "bench" / "data" / f"nlu_test_{language}.yml")
        evaluated = [i for i in INTENTS if not i.startswith("EXTERNAL_") and i not in BUTTON_INTENTS and i not in
                     ESCALATION_INTENTS]
        assert all(len(test[intent]) >= 15 for intent in evaluated), {i: len(test[i]) for i in evaluated}
        assert {text for texts in test.values() for text in texts} & training == set()
    held_out_sets = sorted((ROOT / "bench" / "data").glob("*_test_[0-9]*.yml"))
    assert [path.name for path in held_out_sets] == \
        ["escalation_test_11.yml", "escalation_test_9.yml", "feedback_test_6.yml"]
    for path in held_out_sets:
        held_out = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
        assert {m["text"].strip().lower() for m in held_out} & training == set(), path.name
