"""Escalation recall per team and the false-escalation rate on bench/data/escalation_test_6.yml.

The set was written by someone who saw neither the training data nor the trigger terms, and nothing is tuned on
it: its messages are never printed, only how many misses each cause decided. (The five sets before it are
retired into the training data, data/nlu/*/retired_tests.yml: the first two guided the trigger terms, the third was
measured too often while the classifier was developed, the fourth and fifth were measured once each and then
trained on.)

A message escalates when the assistant's NLU (classifier plus each team's trigger terms) gives an escalation
intent; the team is then chosen as action_escalate chooses it.   Usage: python bench/escalation_eval.py [MODEL]
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"Qualität & Sicherheit": 0.98}
DEFAULT_GOAL, FALSE_GOAL = 0.95, 0.02
HELD_OUT = ROOT / "bench" / "data" / "escalation_test_6.yml"


async def evaluate(model: Path) -> int:
    """Print recall per team, the false-escalation rate and the causes of the misses; 1 when a goal is missed."""
    from rasa.core.agent import Agent

    from bot.handoff.routing import INTENTS, route
    from bot.handoff.triggers import find_triggers

    teams = yaml.safe_load((ROOT / "data" / "company" / "teams.yaml").read_text(encoding="utf-8"))["teams"]
    names = {t["key"]: t["name"] for t in teams}
    triggers = {t["key"]: t.get("triggers") or {} for t in teams}
    messages = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["messages"]
    agent = Agent.load(str(model))
    hits: Dict[str, Counter] = defaultdict(Counter)
    causes: Counter = Counter()
    for message in messages:
        parsed = await agent.parse_message(message["text"])
        intent = parsed["intent"]["name"]
        found = route(intent, message["text"], triggers) if intent in INTENTS else None
        predicted: Optional[str] = names[found.team_key] if found else None
        expected = None if message["team"] == "none" else message["team"]
        hits[expected or "none"]["total"] += 1
        hits[expected or "none"]["right" if predicted == expected else "wrong"] += 1
        if predicted != expected:
            cause = "a trigger term" if find_triggers(message["text"], triggers) else f"the intent {intent}"
            causes[(expected or "none", predicted or "none", cause)] += 1
    failed = False
    print(f"{'team':<24}{'messages':>9}{'recall':>8}  goal")
    for team in sorted(t for t in hits if t != "none"):
        recall = hits[team]["right"] / hits[team]["total"]
        goal = GOALS.get(team, DEFAULT_GOAL)
        failed |= recall < goal
        print(f"{team:<24}{hits[team]['total']:>9}{recall:>8.3f}  ≥ {goal}  {'ok' if recall >= goal else 'BELOW GOAL'}")
    false_rate = hits["none"]["wrong"] / hits["none"]["total"]
    failed |= false_rate > FALSE_GOAL
    print(f"{'false escalations':<24}{hits['none']['total']:>9}{false_rate:>8.3f}  ≤ {FALSE_GOAL}  "
          f"{'ok' if false_rate <= FALSE_GOAL else 'ABOVE GOAL'}")
    print(f"\n{sum(causes.values())} misses (not listed: the set must stay unseen), by what decided them:")
    for (expected, predicted, cause), count in causes.most_common():
        print(f"  {count:>3}  {expected} → {predicted}, by {cause}")
    return 1 if failed else 0


def main() -> int:
    from bot.model import model_from_arguments

    return asyncio.run(evaluate(model_from_arguments(sys.argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
