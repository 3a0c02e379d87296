"""Pseudonymous conversation references: stored feedback links to a conversation without naming the person."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from bot.config import Settings


def _key(key_file: Path) -> bytes:
    """The install's secret key, made on first use and kept out of the repository (var/)."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            with key_file.open("x") as handle:  # only one process wins the race to create it
                handle.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return key_file.read_text().strip().encode()


def conversation_ref(conversation_id: str, settings: Settings) -> str:
    """The same conversation always gets the same 16-hex-digit reference; it cannot be turned back."""
    key = settings.pseudonym_key.encode() or _key(settings.var_dir / "pseudonym.key")
    return hmac.new(key, conversation_id.encode(), hashlib.sha256).hexdigest()[:16]
