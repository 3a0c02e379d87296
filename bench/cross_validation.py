"""How the NLU would do on messages written by someone new: cross-validation on the training data, grouped by file.

Each training file (German and English together, e.g. `tone.yml`) is a group, and each of 5 folds holds out whole
groups, so the classifier is never tested on a style it was trained on; shuffled folds would flatter it (intent
accuracy 0.84 instead of 0.75 on the same data). The components after the classifier (EscalationTriggers,
FeedbackCues and the FallbackClassifier's threshold from config.yml) run on the out-of-fold rankings as they run in
the assistant. This is where the classifier's settings and the NLU thresholds are chosen; the held-out sets in
bench/data/ are never used for that.

Usage: python bench/cross_validation.py [--C 100] [--class-weight balanced|none]   (about 20 minutes on 2 cores)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FOLDS = 5
FEEDBACK = ("feature_request", "bug_report", "praise", "criticism")


def main() -> int:
    from bot.nlu import IntentClassifier

    defaults = IntentClassifier.get_default_config()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--C", type=float, default=defaults["C"])
    parser.add_argument("--class-weight", choices=("balanced", "none"), default=defaults["class_weight"] or "none")
    arguments = parser.parse_args()

    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message
    from sklearn.model_selection import GroupKFold

    from bot.handoff.routing import route
    from bot.nlu import EscalationTriggers, FeedbackCues

    texts: List[str] = []
    intents: List[str] = []
    groups: List[str] = []
    for path in sorted((ROOT / "data" / "nlu").glob("*/*.yml")):
        for example in load_data(str(path)).intent_examples:
            if example.get("intent") and example.get("text"):
                texts.append(example.get("text"))
                intents.append(example.get("intent"))
                groups.append(path.stem)
    truth = np.array(intents)
    classes = list(np.unique(truth))
    print(f"{len(texts)} training examples in {len(set(groups))} files, {FOLDS} folds; C={arguments.C}, "
          f"class weight {arguments.class_weight}", flush=True)

    probabilities = np.zeros((len(texts), len(classes)))
    for fold, (train, test) in enumerate(GroupKFold(FOLDS).split(texts, truth, groups), start=1):
        started = time.monotonic()
        vectorizers = IntentClassifier._new_vectorizers()
        features = IntentClassifier.features(vectorizers, [texts[i] for i in train], fit=True)
        held_out = IntentClassifier.features(vectorizers, [texts[i] for i in test])
        model = IntentClassifier.new_model({**defaults, "C": arguments.C, "class_weight": (
            None if arguments.class_weight == "none" else arguments.class_weight)})
        model.fit(features, truth[train])
        columns = [classes.index(c) for c in model.classes_]
        probabilities[np.ix_(test, columns)] = model.predict_proba(held_out)
        held_out_files = sorted({groups[i] for i in test})
        print(f"  fold {fold}/{FOLDS}: {len(test)} examples ({', '.join(held_out_files)}), "
              f"{time.monotonic() - started:.0f} s", flush=True)

    messages = []
    for text, row in zip(texts, probabilities):
        ranking = [{"name": classes[i], "confidence": float(row[i])}
                   for i in np.argsort(-row)[:defaults["ranking_length"]]]
        messages.append(Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking}))
    EscalationTriggers(ROOT / "data" / "company" / "teams.yaml").process(messages)
    FeedbackCues(ROOT / "data" / "feedback" / "cues.yaml").process(messages)
    threshold = next(c["threshold"] for c in yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
                     ["pipeline"] if c["name"] == "FallbackClassifier")
    predicted = np.array([m.get("intent")["name"] if m.get("intent")["confidence"] >= threshold else "nlu_fallback"
                          for m in messages])

    def team(intent: str) -> Optional[str]:
        found = route(intent, "", {})
        return found.team_key if found else None

    teams = {t["key"]: t["name"] for t in
             yaml.safe_load((ROOT / "data" / "company" / "teams.yaml").read_text(encoding="utf-8"))["teams"]}
    expected_team = [team(i) for i in truth]
    predicted_team = [team(i) for i in predicted]
    print(f"\n{'':<42}{'examples':>9}{'share':>8}")
    print(f"{'intent accuracy':<42}{len(truth):>9}{np.mean(predicted == truth):>8.3f}")
    for key in sorted({t for t in expected_team if t}, key=lambda k: teams[k]):
        rows = [i for i, t in enumerate(expected_team) if t == key]
        print(f"{'escalation recall ' + teams[key]:<42}{len(rows):>9}"
              f"{np.mean([predicted_team[i] == key for i in rows]):>8.3f}")
    calm = [i for i, t in enumerate(expected_team) if t is None]
    print(f"{'false escalations':<42}{len(calm):>9}{np.mean([predicted_team[i] is not None for i in calm]):>8.3f}")
    kind = [t if t in FEEDBACK else "none" for t in truth]
    stored = [p if p in FEEDBACK else "none" for p in predicted]
    feedback = [i for i, k in enumerate(kind) if k != "none"]
    print(f"{'feedback kind accuracy':<42}{len(feedback):>9}{np.mean([stored[i] == kind[i] for i in feedback]):>8.3f}")
    other = [i for i, k in enumerate(kind) if k == "none"]
    print(f"{'other messages stored as feedback':<42}{len(other):>9}"
          f"{np.mean([stored[i] != 'none' for i in other]):>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
