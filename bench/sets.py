"""Evaluating on a development set and a held-out set. The development set guided choices (trigger terms, cue words)
and its misses are listed; only the held-out set counts towards the goals, and its messages are never printed."""
from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable, List, Tuple

DATA = Path(__file__).resolve().parent / "data"


async def evaluate_sets(model: Path, sets: List[Tuple[str, str]],
                        evaluate_set: Callable[..., Awaitable[bool]]) -> int:
    """Run `evaluate_set(agent, path, counts)` on each (title, file) of `sets`, the last one counting; 1 if it
    misses a goal."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    failed = False
    for title, name in sets:
        print(f"\n== {title}: bench/data/{name}")
        failed |= await evaluate_set(agent, DATA / name, counts=name == sets[-1][1])
    return 1 if failed else 0
