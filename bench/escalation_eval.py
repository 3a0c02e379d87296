"""Escalation recall per team and the false-escalation rate, on two sets never trained on.

bench/data/escalation_test.yml was the first held-out set; its misses have since guided the trigger terms, so it is
now a development set. bench/data/escalation_test_2.yml was written later by someone who saw neither the training
data nor the triggers, and nothing was tuned on it: its figures are the ones that count.

A message escalates when the assistant's NLU (classifier plus each team's trigger terms) gives an escalation
intent; the team is then chosen as action_escalate chooses it.   Usage: python bench/escalation_eval.py [MODEL]
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"Qualität & Sicherheit": 0.98}
DEFAULT_GOAL, FALSE_GOAL = 0.95, 0.02


SETS = [("development set (guided the triggers)", "escalation_test.yml"),
        ("held-out set (never tuned on)", "escalation_test_2.yml")]


async def evaluate_set(agent: "Agent", path: Path, counts: bool) -> bool:
    """Print recall per team and the false-escalation rate; True when a goal is missed and the set counts."""
    from bot.handoff.routing import INTENTS, route
    from bot.handoff.triggers import find_triggers

    teams = yaml.safe_load((ROOT / "data" / "company" / "teams.yaml").read_text(encoding="utf-8"))["teams"]
    names = {t["key"]: t["name"] for t in teams}
    triggers = {t["key"]: t.get("triggers") or {} for t in teams}
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    hits: Dict[str, Counter] = defaultdict(Counter)
    causes: Counter = Counter()
    misses: List[str] = []
    for message in messages:
        parsed = await agent.parse_message(message["text"])
        intent = parsed["intent"]["name"]
        found = route(intent, message["text"], triggers) if intent in INTENTS else None
        predicted: Optional[str] = names[found.team_key] if found else None
        expected = None if message["team"] == "none" else message["team"]
        hits[expected or "none"]["total"] += 1
        hits[expected or "none"]["right" if predicted == expected else "wrong"] += 1
        if predicted != expected:
            misses.append(f"  [{message['language']}] expected {expected or 'none'}, got {predicted or 'none'}: "
                          f"{message['text']}")
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
    if counts:  # the held-out set's messages are not shown, so that nobody tunes the triggers on them
        print(f"{len(misses)} misses (not listed: this set must stay unseen); by what decided them:")
        for (expected, predicted, cause), count in causes.most_common():
            print(f"  {count:>3}  {expected} → {predicted}, by {cause}")
    else:
        print("\nMisses:\n" + "\n".join(misses))
    return failed and counts


def main() -> int:
    from bench.sets import evaluate_sets
    from bot.model import model_from_arguments

    return asyncio.run(evaluate_sets(model_from_arguments(sys.argv[1:]), SETS, evaluate_set))


if __name__ == "__main__":
    sys.exit(main())
