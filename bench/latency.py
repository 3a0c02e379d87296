"""Reply latency through the REST channel, beside Rasa's own sample bot (`rasa init`) measured in the same run.

Prints p50/p99 with 1 and with 20 concurrent conversations of 10 turns each, training time, start-up time and
the resident memory of all processes together.   Usage: python bench/latency.py [--rounds N]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.report.data import percentile  # noqa: E402
from tests.helpers.system import free_port, start_system  # noqa: E402

OUR_TURNS = [
    "Hallo!", "Was kostet das Stadtrad E7?", "Welcher Akku passt?", "Zeig mir E-Bikes unter 3000 Euro",
    "Wo ist meine Bestellung LR-123456?", "Liefert ihr nach Österreich?", "Do you have jobs in Leipzig?",
    "How do I apply?", "Danke!", "Tschüss",
]
SAMPLE_TURNS = [
    "hello", "I am sad", "yes", "hi", "I am great", "are you a bot?", "no", "good morning", "very good", "bye",
]


async def conversations(url: str, turns: List[str], concurrent: int, rounds: int) -> List[float]:
    """Latencies in milliseconds of every turn of `concurrent` conversations at once, `rounds` times."""
    import aiohttp

    latencies: List[float] = []

    async def conversation(session: aiohttp.ClientSession) -> None:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in turns:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                await response.json()
                assert response.status == 200, response.status
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        await conversation(session)  # warm-up, not counted
        latencies.clear()
        for _ in range(rounds):
            await asyncio.gather(*(conversation(session) for _ in range(concurrent)))
    return latencies


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def measure(url: str, turns: List[str], rounds: int) -> Dict[str, float]:
    single = asyncio.run(conversations(url, turns, 1, rounds * 4))
    crowd = asyncio.run(conversations(url, turns, 20, rounds))
    return {"p50 1": statistics.median(single), "p99 1": percentile(single, 0.99),
            "p50 20": statistics.median(crowd), "p99 20": percentile(crowd, 0.99), "turns": len(single) + len(crowd)}


def ours(workdir: Path, rounds: int) -> Dict[str, float]:
    models = workdir / "models"
    env = {**os.environ, "MODELS_DIR": str(models), "PYTHONPATH": str(ROOT), "TQDM_DISABLE": "1",
           "RASA_CACHE_DIRECTORY": str(workdir / "rasa-cache")}  # no cached components: a real from-scratch training
    print("Training our model from scratch …", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "train"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    training = time.perf_counter() - started
    print("Starting our service …", flush=True)
    started = time.perf_counter()
    system = start_system(workdir / "var", {"MODELS_DIR": str(models)})
    startup = time.perf_counter() - started
    try:
        print("Talking to our assistant …", flush=True)
        figures = measure(f"http://127.0.0.1:{system.rasa_port}/webhooks/rest/webhook", OUR_TURNS, rounds)
        figures["rss"] = tree_rss_mib(system.process.pid)
    finally:
        system.stop()
    return {**figures, "training": training, "startup": startup}


def sample_bot(workdir: Path, rounds: int) -> Dict[str, float]:
    project = workdir / "sample"
    project.mkdir()
    env = {**os.environ, "TQDM_DISABLE": "1", "RASA_CACHE_DIRECTORY": str(workdir / "sample-cache")}
    print("Creating and training Rasa's sample bot (rasa init) …", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)], cwd=workdir,
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    training = time.perf_counter() - started
    port = free_port()
    log = (workdir / "sample.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--port", str(port), "--interface", "127.0.0.1"],
                               cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import urllib.request

        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the sample bot did not start; see " + log.name)
                time.sleep(0.3)
        startup = time.perf_counter() - started
        print("Talking to the sample bot …", flush=True)
        figures = measure(f"http://127.0.0.1:{port}/webhooks/rest/webhook", SAMPLE_TURNS, rounds)
        figures["rss"] = tree_rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {**figures, "training": training, "startup": startup}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 20 concurrent conversations (default 3)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="latency-bench-"))
    try:
        sample = sample_bot(workdir, args.rounds)
        our = ours(workdir, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows = [
        ("p50, 1 conversation (ms)", "p50 1"), ("p99, 1 conversation (ms)", "p99 1"),
        ("p50, 20 concurrent (ms)", "p50 20"), ("p99, 20 concurrent (ms)", "p99 20"),
        ("turns measured", "turns"), ("training (s)", "training"), ("start-up (s)", "startup"),
        ("resident memory, all processes (MiB)", "rss"),
    ]
    print(f"\n{'':<38}{'ours':>12}{'rasa init':>12}{'ratio':>8}")
    for label, key in rows:
        ratio = our[key] / sample[key] if sample[key] else float("nan")
        print(f"{label:<38}{our[key]:>12.1f}{sample[key]:>12.1f}{ratio:>8.2f}")
    for concurrency in ("1", "20"):
        ratio = our[f"p50 {concurrency}"] / sample[f"p50 {concurrency}"]
        verdict = "ok" if ratio <= 1.5 else "ABOVE GOAL"
        print(f"goal p50 ≤ 1.5 × sample bot ({concurrency} concurrent): {ratio:.2f} × → {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
