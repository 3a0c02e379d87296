"""The whole running system, started as a user starts it (`python -m bot serve`), for end-to-end tests."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.config import ROOT


def free_ports(count: int) -> List[int]:
    """Ports free on the loopback, all different: each is held until all are found (the system once got the same
    port for Rasa and the staff service when they were asked for one after the other)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_port() -> int:
    return free_ports(1)[0]


def listening(port: int) -> bool:
    """Something accepts connections on the loopback port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http_json(url: str, payload: Optional[dict] = None, timeout: float = 30) -> tuple:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class RunningSystem:
    """A started `python -m bot serve` with its ports, its database and a chat client for the REST channel."""

    process: subprocess.Popen
    env: Dict[str, str]
    log: Path
    rasa_port: int
    action_port: int
    console_port: int
    children: List[int] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def var_dir(self) -> Path:
        return Path(self.env["BOT_VAR_DIR"])

    def say(self, text: str, sender: str) -> List[dict]:
        status, replies = http_json(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
                                    {"sender": sender, "message": text})
        assert status == 200, replies
        return replies

    def kill(self, fragment: str) -> None:
        """Kill (SIGKILL, no goodbye) the started process whose command line contains `fragment`."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid and fragment in command:
                os.kill(int(entry.name), signal.SIGKILL)
                return
        raise AssertionError(f"no running process of the service matches {fragment!r}")

    def wait_until_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        urls = [f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", f"http://127.0.0.1:{self.action_port}/health",
                f"http://127.0.0.1:{self.console_port}/health"]
        while True:
            try:
                if all(http_json(url, timeout=2)[0] == 200 for url in urls):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the service did not come back")
            time.sleep(0.5)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def start_system(var_dir: Path, extra_env: Optional[Dict[str, str]] = None, timeout: float = 600) -> RunningSystem:
    """Start everything on free ports with its own database; returns once every part answers its health check."""
    var_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port, console_port = free_ports(3)
    env = {
        **os.environ,
        "BOT_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'bot.db'}",
        "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port), "CONSOLE_PORT": str(console_port),
        "RASA_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
        "PYTHONPATH": str(ROOT), "TQDM_DISABLE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
        **(extra_env or {}),
    }
    log = var_dir / "serve.log"
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    system = RunningSystem(process, env, log, rasa_port, action_port, console_port)
    deadline = time.monotonic() + timeout
    while "The assistant is ready" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            system.stop()
            raise RuntimeError(f"the service did not start; its log:\n{log.read_text(errors='replace')[-5000:]}")
        time.sleep(0.5)
    return system


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"
