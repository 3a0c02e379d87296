"""Feedback kind accuracy per language on bench/data/feedback_test_6.yml.

The set was written by someone who saw neither the training data nor the cue words (data/feedback/cues.yaml), and
nothing is tuned on it: its messages are never printed, only the confusion table. (The five sets before it are
retired into the training data, data/nlu/*/retired_tests.yml: the first two guided the cue words, the third was
measured too often while the classifier was developed, the fourth and fifth were measured once each and then
trained on.)

A message is stored as the kind its intent names (feature_request, bug_report, praise, criticism) and as nothing
("none") otherwise; a dangerous defect must become a safety escalation, not feedback.
Usage: python bench/feedback_eval.py [MODEL]
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 0.9
KINDS = ("feature_request", "bug_report", "praise", "criticism", "none")
HELD_OUT = ROOT / "bench" / "data" / "feedback_test_6.yml"


async def evaluate(model: Path) -> int:
    """Print accuracy and the confusion table per language; 1 when the goal is missed."""
    from actions.feedback import FEEDBACK_INTENTS
    from bot.model import load_agent

    messages = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["messages"]
    agent = load_agent(model)
    failed = False
    print(f"{'language':<9}{'messages':>9}{'accuracy':>10}  goal ≥ {GOAL}")
    confusion = {}
    for language in ("de", "en"):
        table: Counter = Counter()
        for message in (m for m in messages if m["language"] == language):
            intent = (await agent.parse_message(message["text"]))["intent"]["name"]
            predicted = intent if intent in FEEDBACK_INTENTS else "none"
            table[(message["kind"], predicted)] += 1
        total = sum(table.values())
        accuracy = sum(n for (truth, predicted), n in table.items() if truth == predicted) / total
        failed |= accuracy < GOAL
        print(f"{language:<9}{total:>9}{accuracy:>10.3f}  {'ok' if accuracy >= GOAL else 'BELOW GOAL'}")
        confusion[language] = table
    for language, table in confusion.items():
        print(f"\n{language}: expected (rows) × stored as (columns)")
        print(f"{'':<17}" + "".join(f"{k[:12]:>13}" for k in KINDS))
        for truth in KINDS:
            print(f"{truth:<17}" + "".join(f"{table[(truth, predicted)]:>13}" for predicted in KINDS))
    return 1 if failed else 0


def main() -> int:
    from bot.model import model_from_arguments

    return asyncio.run(evaluate(model_from_arguments(sys.argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
