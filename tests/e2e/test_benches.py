"""The benches load the assistant's model through bot.model.load_agent. Rasa logs every message it parses at debug
level, and the benches parse held-out test messages that nobody may read: none of them reaches the output."""
from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.model import load_agent, model_path
from tests.helpers.system import RunningSystem


def test_the_messages_a_bench_parses_are_not_printed(plain_system: RunningSystem, capfd: pytest.CaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    agent = load_agent(model_path(Settings.from_env()))  # plain_system has trained it
    parsed = asyncio.run(agent.parse_message("Der Akku meines Zebrarads qualmt"))
    assert parsed["intent"]["name"] == "report_safety_issue"
    out, err = capfd.readouterr()
    assert "Zebrarads" not in out + err
