"""Pseudonymous conversation references: stored feedback links to a conversation without naming the person."""
from __future__ import annotations

import hashlib
import hmac

from bot.config import Settings


def conversation_ref(conversation_id: str, settings: Settings) -> str:
    """The same conversation always gets the same 16-hex-digit reference; it cannot be turned back."""
    key = settings.secret(settings.pseudonym_key, "pseudonym.key").encode()
    return hmac.new(key, conversation_id.encode(), hashlib.sha256).hexdigest()[:16]
