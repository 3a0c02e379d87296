"""Intent macro-F1 per language on the held-out test set in bench/data/ (never trained on).

Usage: python bench/nlu_eval.py [MODEL]   (default: the model `python -m bot train` keeps up to date)
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 0.95


async def evaluate(model: Path) -> int:
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import f1_score

    from bot.model import load_agent

    agent = load_agent(model)
    failed = False
    print(f"{'language':<9} {'messages':>8} {'intents':>8} {'accuracy':>9} {'macro-F1':>9}  goal ≥ {GOAL}")
    misses: Counter = Counter()
    for language in ("de", "en"):
        examples = load_data(str(ROOT / "bench" / "data" / f"nlu_test_{language}.yml")).intent_examples
        truth, predicted = [], []
        for example in examples:
            parsed = await agent.parse_message(example.get("text"))
            truth.append(example.get("intent"))
            predicted.append(parsed["intent"]["name"])
            if predicted[-1] != truth[-1]:
                misses[(language, truth[-1], predicted[-1])] += 1
        labels = sorted(set(truth))
        f1 = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth)
        failed |= f1 < GOAL
        print(f"{language:<9} {len(truth):>8} {len(labels):>8} {accuracy:>9.3f} {f1:>9.3f}  {'ok' if f1 >= GOAL else 'BELOW GOAL'}")
    print("\nMost frequent confusions (language, expected → predicted, count):")
    for (language, expected, got), count in misses.most_common(15):
        print(f"  {language}  {expected:<22} → {got:<22} {count}")
    return 1 if failed else 0


def main() -> int:
    from bot.model import model_from_arguments

    return asyncio.run(evaluate(model_from_arguments(sys.argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
