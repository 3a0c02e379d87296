"""Feedback kind accuracy per language on two sets never trained on.

bench/data/feedback_test.yml was the first held-out set; its results have since guided the feedback cue words
(data/feedback/cues.yaml), so it is now a development set. bench/data/feedback_test_2.yml was written later by
someone who saw neither the training data nor the cues, and nothing was tuned on it: its figures are the ones that
count, and its messages are never printed.

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


SETS = [("development set (guided the cue words)", "feedback_test.yml"),
        ("held-out set (never tuned on)", "feedback_test_2.yml")]


async def evaluate_set(agent: "Agent", path: Path, counts: bool) -> bool:
    """Print accuracy and the confusion table per language; True when a goal is missed and the set counts."""
    from actions.feedback import FEEDBACK_INTENTS

    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    failed = False
    misses = []
    print(f"{'language':<9}{'messages':>9}{'accuracy':>10}  goal ≥ {GOAL}")
    confusion = {}
    for language in ("de", "en"):
        table: Counter = Counter()
        for message in (m for m in messages if m["language"] == language):
            intent = (await agent.parse_message(message["text"]))["intent"]["name"]
            predicted = intent if intent in FEEDBACK_INTENTS else "none"
            table[(message["kind"], predicted)] += 1
            if predicted != message["kind"]:
                misses.append(f"  [{language}] {message['kind']} → {predicted} ({intent}): {message['text']}")
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
    if not counts:
        print("\nMisses:\n" + "\n".join(misses))
    return failed and counts


def main() -> int:
    from bench.sets import evaluate_sets
    from bot.model import model_from_arguments

    return asyncio.run(evaluate_sets(model_from_arguments(sys.argv[1:]), SETS, evaluate_set))


if __name__ == "__main__":
    sys.exit(main())
