"""`python -m bot serve`: the whole service in one command, stopped as one with Ctrl-C."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from bot.config import ROOT, Settings
from bot.model import ensure_model


MAX_RESTARTS, RESTART_WINDOW = 5, 60.0  # a process that stops this often this fast is broken, not unlucky


@dataclass
class Process:
    name: str
    command: List[str]
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)  # beside the environment every process gets
    popen: Optional[subprocess.Popen] = None

    def start(self, env: Dict[str, str]) -> None:
        self.popen = subprocess.Popen(self.command, cwd=ROOT, env={**env, **self.env}, start_new_session=True)


# Rasa's own Redis lock store is not safe for several Rasa processes (see bot/lock_store.py); Rasa loads this one by
# its module path and, as with `redis`, allows several workers with it.
REDIS_LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"


def rasa_environment(settings: Settings) -> Dict[str, str]:
    """The variables endpoints.yml reads: tracker store, lock store and action server."""
    tracker_url = settings.tracker_store_url
    env = {
        "ACTION_SERVER_URL": settings.action_server_url,
        "TRACKER_STORE_URL": tracker_url,
        "TRACKER_STORE_DIALECT": urlsplit(tracker_url).scheme.split("+")[0],
        "LOCK_STORE_TYPE": "in_memory", "LOCK_STORE_HOST": "", "LOCK_STORE_PORT": "6379", "LOCK_STORE_DB": "1",
        "LOCK_STORE_USERNAME": "", "LOCK_STORE_PASSWORD": "", "LOCK_STORE_USE_SSL": "false",
        "LOCK_STORE_SSL_CA_CERTS": "",
    }
    if settings.redis_url:
        redis = urlsplit(settings.redis_url)
        env.update(LOCK_STORE_TYPE=REDIS_LOCK_STORE, LOCK_STORE_HOST=redis.hostname or "127.0.0.1",
                   LOCK_STORE_PORT=str(redis.port or 6379), LOCK_STORE_DB=(redis.path.strip("/") or "1"),
                   # redis://user:secret@host/1; empty ones send no AUTH
                   LOCK_STORE_USERNAME=unquote(redis.username or ""), LOCK_STORE_PASSWORD=unquote(redis.password or ""),
                   # rediss://host:6380/1?ssl_ca_certs=/etc/ssl/redis-ca.pem: TLS, as redis-py reads such a URL
                   LOCK_STORE_USE_SSL=str(redis.scheme == "rediss").lower(),
                   LOCK_STORE_SSL_CA_CERTS=parse_qs(redis.query).get("ssl_ca_certs", [""])[0])
    return env


_VARIABLE = re.compile(r"\$\{(\w+)\}")
CHANNEL_DEFAULTS = {
    "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_API_URL": "https://api.telegram.org/bot",
    "FACEBOOK_GRAPH_URL": "https://graph.facebook.com/v15.0",
    "WHATSAPP_WEBHOOK_URL": "", "TWILIO_API_URL": "https://api.twilio.com",
}


def enabled_credentials(template: Path, environ: Dict[str, str]) -> str:
    """credentials.yml with only the channels whose variables are all set, the variables filled in."""
    import yaml

    values = {**CHANNEL_DEFAULTS, **{k: v for k, v in environ.items() if v}}
    enabled: Dict[str, Optional[dict]] = {}
    for channel, config in (yaml.safe_load(template.read_text(encoding="utf-8")) or {}).items():
        config = config or {}
        needed = {name for value in config.values() for name in _VARIABLE.findall(str(value))}
        if needed <= set(values):
            enabled[channel] = {key: _VARIABLE.sub(lambda m: values[m.group(1)], value) if isinstance(value, str)
                                else value for key, value in config.items()} or None
    return yaml.safe_dump(enabled, allow_unicode=True)


def processes(settings: Settings, model: str, credentials: Path) -> List[Process]:
    python = sys.executable
    return [
        Process("action server", [python, "-m", "rasa", "run", "actions", "--actions", "actions",
                                  "--port", str(settings.action_port)],
                f"http://127.0.0.1:{settings.action_port}/health"),
        Process("Rasa", [python, "-m", "rasa", "run", "--model", model, "--endpoints", "endpoints.yml",
                         "--credentials", str(credentials), "--interface", settings.host,
                         "--port", str(settings.rasa_port), "--cors", "*", "--enable-api",
                         "--auth-token", settings.secret(settings.rasa_api_token, "rasa-api.token")],
                f"http://127.0.0.1:{settings.rasa_port}/",
                # Rasa reads SANIC_WORKERS for `rasa run`, and takes more than one only with a lock store other
                # than the in-memory one (our Redis lock store; Settings insists on REDIS_URL for that).
                {"SANIC_WORKERS": str(settings.rasa_workers)}),
        Process("staff service", [python, "-m", "bot", "console"], f"http://127.0.0.1:{settings.console_port}/health"),
    ]


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def serve(settings: Settings, startup_timeout: float = 300.0) -> int:
    """Prepare (migrate, import, train when stale), start every process, wait for health, restart one that stops
    unexpectedly, and stop all together."""
    from bot.catalog.importer import ImportProblem, import_company_data
    from bot.db import migrate

    print(f"Database: {_without_password(settings.database_url)}", flush=True)
    migrate(settings.database_url)
    try:
        import_company_data(settings.database_url, settings.data_dir, progress=lambda line: print(line, flush=True))
    except ImportProblem as problem:
        print(f"Import stopped, nothing was changed: {problem}", file=sys.stderr)
        return 2
    model = ensure_model(settings)
    # SANIC_HOST is the interface of the action server, which has no option for it.
    env = {**os.environ, **rasa_environment(settings), "PYTHONPATH": str(ROOT), "SANIC_HOST": settings.host}
    credentials = settings.var_dir / "credentials.yml"
    credentials.write_text(enabled_credentials(ROOT / "credentials.yml", dict(os.environ)), encoding="utf-8")
    children = processes(settings, str(model), credentials)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            print(f"Starting {child.name} …", flush=True)
            child.start(env)
        deadline = time.monotonic() + startup_timeout
        waiting = list(children)
        while waiting and not stopping:
            for child in list(waiting):
                if child.popen.poll() is not None:
                    print(f"{child.name} exited with code {child.popen.returncode} during start-up.", file=sys.stderr)
                    return 1
                if _healthy(child.health_url):
                    print(f"  {child.name} ready: {child.health_url}", flush=True)
                    waiting.remove(child)
            if time.monotonic() > deadline:
                print(f"Gave up waiting for: {', '.join(c.name for c in waiting)}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        if not stopping:
            print(f"\nThe assistant is ready. Chat: POST http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook"
                  f"  ·  staff service: http://{settings.host}:{settings.console_port}  ·  Ctrl-C stops everything.",
                  flush=True)
        restarts: Dict[str, List[float]] = {}
        while not stopping:
            for child in children:
                if child.popen.poll() is None:
                    continue
                recent = [t for t in restarts.get(child.name, []) if t > time.monotonic() - RESTART_WINDOW]
                if len(recent) >= MAX_RESTARTS:
                    print(f"{child.name} keeps stopping (exit code {child.popen.returncode}); stopping the rest.",
                          file=sys.stderr)
                    return 1
                print(f"{child.name} stopped unexpectedly (exit code {child.popen.returncode}); starting it again.",
                      file=sys.stderr, flush=True)
                restarts[child.name] = [*recent, time.monotonic()]
                child.start(env)
            time.sleep(0.5)
        return 0
    finally:
        _stop_all(children)


def _stop_all(children: List[Process]) -> None:
    running = [c for c in children if c.popen and c.popen.poll() is None]
    for child in running:
        os.killpg(child.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in running:
        try:
            child.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.popen.pid, signal.SIGKILL)
            child.popen.wait()
    if running:
        print("Stopped: " + ", ".join(c.name for c in running), flush=True)
