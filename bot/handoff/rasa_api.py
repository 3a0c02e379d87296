"""The staff service's line to Rasa's HTTP API: staff replies pushed to the customer's channel, handing back."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import aiohttp

from bot.db.models import aware


class RasaUnavailable(Exception):
    """Rasa did not take the request even after retries; nothing was delivered."""


class RasaConversations:
    """Talks to one Rasa server with its API token; every call is retried a few times before it is reported."""

    def __init__(self, base_url: str, token: str, attempts: int = 3) -> None:
        self.base_url, self.token, self.attempts = base_url.rstrip("/"), token, attempts

    async def _call(self, method: str, path: str, params: Optional[Dict[str, str]] = None, body: Any = None) -> Any:
        delay, last = 0.3, ""
        for attempt in range(self.attempts):
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
                    async with http.request(method, f"{self.base_url}{path}", json=body,
                                            params={"token": self.token, **(params or {})}) as response:
                        if response.status < 300:
                            return await response.json(content_type=None)
                        last = f"{response.status}: {(await response.text())[:300]}"
                        if response.status < 500:
                            break
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                last = repr(error)
            await asyncio.sleep(delay * (2 ** attempt))
        raise RasaUnavailable(f"Rasa {method} {path} failed: {last}")

    async def say(self, conversation_id: str, text: str, author: str) -> None:
        """A staff message, delivered on the channel the customer last wrote on."""
        await self._call("POST", f"/conversations/{conversation_id}/tracker/events",
                         {"output_channel": "latest", "execute_side_effects": "true"},
                         [{"event": "bot", "text": text, "metadata": {"staff": author}}])

    async def hand_back(self, conversation_id: str) -> None:
        """Un-pause the conversation and let the assistant say it is back and ask for a rating."""
        await self._call("POST", f"/conversations/{conversation_id}/tracker/events", None,
                         [{"event": "resume"}, {"event": "action", "name": "action_listen"}])
        await self._call("POST", f"/conversations/{conversation_id}/trigger_intent", {"output_channel": "latest"},
                         {"name": "EXTERNAL_handed_back"})

    async def messages_since(self, conversation_id: str, since: datetime) -> List[Dict[str, str]]:
        """What the customer and the staff said after `since`, from Rasa's record of the conversation."""
        tracker = await self._call("GET", f"/conversations/{conversation_id}/tracker", {"include_events": "ALL"})
        said = []
        for event in tracker.get("events", []):
            if event.get("event") not in ("user", "bot") or not event.get("text"):
                continue
            at = datetime.fromtimestamp(event.get("timestamp") or 0, timezone.utc)
            if at < aware(since):
                continue
            staff = (event.get("metadata") or {}).get("staff")
            sender = "customer" if event["event"] == "user" else ("staff" if staff else "assistant")
            said.append({"from": sender, "text": event["text"], "at": at.isoformat(), **({"author": staff} if staff else {})})
        return said
