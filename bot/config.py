"""Settings from the environment, loaded once and passed in: the only place that reads os.environ."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Tuple

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def telegram_file_url(api_url: str) -> str:
    """Where the Bot API serves files, from where it answers calls ('…/bot' → '…/file/bot')."""
    return api_url.replace("/bot", "/file/bot")


def _choice(name: str, allowed: Tuple[str, ...]) -> str:
    """One of `allowed`, the first being the default."""
    raw = os.environ.get(name) or allowed[0]
    if raw not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def _clock(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    hours, _, minutes = raw.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60 and len(minutes) == 2):
        raise SystemExit(f"{name} must be a time like 07:00, got {raw!r}")
    return raw


def _redis_url(name: str) -> str:
    """Empty, or a Redis URL: redis:// or, with TLS, rediss://."""
    raw = os.environ.get(name, "")
    if raw and not raw.startswith(("redis://", "rediss://")):
        raise SystemExit(f"{name} must start with redis:// (or rediss:// for TLS), got {raw!r}")
    return raw


def _rasa_workers(name: str, redis_url: str) -> int:
    """Rasa's Sanic workers; more than one need Redis, because Rasa's in-memory lock store is per process and
    two workers would then handle messages of one conversation at the same time."""
    workers = _int(name, 1)
    if workers < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, got {os.environ[name]!r}")
    if workers > 1 and not redis_url:
        raise SystemExit(f"{name}={workers} needs REDIS_URL: several Rasa workers need Redis for the lock store, "
                         "because Rasa's in-memory lock store holds a conversation's lock in one process only")
    return workers


def _tokens(name: str) -> Dict[str, str]:
    raw = os.environ.get(name, "")
    if not raw:
        return {}
    try:
        tokens = json.loads(raw)
    except json.JSONDecodeError:
        raise SystemExit(f'{name} must be JSON like {{"Kundenservice": "token"}}') from None
    if not isinstance(tokens, dict) or not all(isinstance(v, str) and v for v in tokens.values()):
        raise SystemExit(f'{name} must map team names to non-empty tokens')
    return tokens


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with; defaults run on a laptop with SQLite."""

    database_url: str
    tracker_store_url: str
    data_dir: Path
    models_dir: Path
    var_dir: Path
    rasa_port: int
    action_port: int
    console_port: int
    host: str
    action_server_url: str
    pseudonym_key: str  # empty: a key made on first use in var/pseudonym.key
    rasa_api_token: str  # empty: a token made on first use in var/rasa-api.token
    redis_url: str  # empty: Rasa's in-memory lock store (one Rasa process)
    rasa_workers: int  # Sanic workers of the Rasa server; more than one need redis_url
    rasa_public_url: str  # where browsers reach the Rasa server (the web chat's socket.io)
    staff_tokens: Dict[str, str]  # team name (as in teams.yaml) → bearer token for the staff API
    staff_admin_token: str
    staff_telegram_token: str  # the staff bot (empty: no staff group notifications)
    staff_chat_id: str  # the staff group the cards go to
    staff_telegram_api_url: str
    staff_telegram_topics: bool  # a forum topic per escalation in the staff group
    reports_dir: Path  # the weekly reports, one folder per week
    report_language: str  # de or en
    report_send_time: str  # HH:MM on Mondays, Europe/Berlin
    smtp_host: str  # empty: reports are not e-mailed
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    report_email_from: str
    report_email_to: Tuple[str, ...]  # Produktmanagement's addresses

    @classmethod
    def from_env(cls) -> "Settings":
        var_dir = Path(os.environ.get("BOT_VAR_DIR", ROOT / "var"))
        rasa_port = _int("RASA_PORT", 5005)
        action_port = _int("ACTION_PORT", 5055)
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'bot.db'}"
        redis_url = _redis_url("REDIS_URL")
        # Rasa keeps its conversations in the same database as ours when that is a server;
        # with SQLite it gets a file of its own so the two processes don't contend for one lock.
        default_tracker = (
            database_url if not database_url.startswith("sqlite") else f"sqlite:///{var_dir / 'rasa.db'}"
        )
        return cls(
            database_url=database_url,
            tracker_store_url=os.environ.get("TRACKER_STORE_URL") or default_tracker,
            data_dir=Path(os.environ.get("COMPANY_DATA_DIR", ROOT / "data" / "company")),
            models_dir=Path(os.environ.get("MODELS_DIR", ROOT / "models")),
            var_dir=var_dir,
            rasa_port=rasa_port,
            action_port=action_port,
            console_port=_int("CONSOLE_PORT", 8000),
            host=os.environ.get("BIND_HOST", "127.0.0.1"),
            action_server_url=os.environ.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{action_port}/webhook",
            pseudonym_key=os.environ.get("PSEUDONYM_KEY", ""),
            rasa_api_token=os.environ.get("RASA_API_TOKEN", ""),
            redis_url=redis_url,
            rasa_workers=_rasa_workers("RASA_WORKERS", redis_url),
            rasa_public_url=os.environ.get("RASA_PUBLIC_URL") or f"http://127.0.0.1:{rasa_port}",
            staff_tokens=_tokens("STAFF_TOKENS"),
            staff_admin_token=os.environ.get("STAFF_ADMIN_TOKEN", ""),
            staff_telegram_token=os.environ.get("STAFF_TELEGRAM_TOKEN", ""),
            staff_chat_id=os.environ.get("STAFF_TELEGRAM_CHAT_ID", ""),
            staff_telegram_api_url=os.environ.get("STAFF_TELEGRAM_API_URL") or "https://api.telegram.org/bot",
            staff_telegram_topics=_choice("STAFF_TELEGRAM_TOPICS", ("false", "true")) == "true",
            reports_dir=Path(os.environ.get("REPORTS_DIR") or var_dir / "reports"),
            report_language=_choice("REPORT_LANGUAGE", ("de", "en")),
            report_send_time=_clock("REPORT_SEND_TIME", "07:00"),
            smtp_host=os.environ.get("SMTP_HOST", ""),
            smtp_port=_int("SMTP_PORT", 587),
            smtp_user=os.environ.get("SMTP_USER", ""),
            smtp_password=os.environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=_choice("SMTP_STARTTLS", ("true", "false")) == "true",
            report_email_from=os.environ.get("REPORT_EMAIL_FROM", "insights@localhost"),
            report_email_to=tuple(a.strip() for a in os.environ.get("REPORT_EMAIL_TO", "").split(",") if a.strip()),
        )

    def secret(self, configured: str, name: str) -> str:
        """A configured secret, or one made on first use and kept in var/ (never in the repository)."""
        if configured:
            return configured
        path = self.var_dir / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with path.open("x") as handle:  # only one process wins the race to create it
                    handle.write(secrets.token_hex(32))
                path.chmod(0o600)
            except FileExistsError:
                pass
        return path.read_text().strip()

    @property
    def staff_group_enabled(self) -> bool:
        """A staff bot and its group are configured: escalation cards and weekly reports go there."""
        return bool(self.staff_telegram_token and self.staff_chat_id)

    @property
    def rasa_url(self) -> str:
        """Where the staff service reaches Rasa's HTTP API (same machine)."""
        return f"http://127.0.0.1:{self.rasa_port}"
