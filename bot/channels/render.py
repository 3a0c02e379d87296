"""One renderer: our responses (text, buttons, images) shaped to what each channel can show.

Channels call `render()` with Rasa's message and their `Limits`; they never cut texts or lay out buttons themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Limits:
    """What a channel accepts in one message."""

    text: int                     # characters per text message
    caption: int = 0              # characters under an image (0: no captions, image and text go separately)
    buttons: int = 0              # buttons per message (0: buttons become a numbered list in the text)
    button_title: int = 64        # characters per button title
    button_payload: int = 0       # bytes per payload (0: no limit)


TELEGRAM = Limits(text=4096, caption=1024, buttons=100, button_title=64, button_payload=64)
MESSENGER = Limits(text=640, caption=0, buttons=13, button_title=20, button_payload=1000)
WHATSAPP = Limits(text=1600, caption=1600, buttons=0)


@dataclass
class Part:
    """One message to send: text, optionally with buttons or an image."""

    text: str = ""
    buttons: List[Button] = field(default_factory=list)
    image: Optional[str] = None


def split_text(text: str, limit: int) -> List[str]:
    """Cut at paragraph, then line, then word boundaries, so no piece is longer than `limit`."""
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit + 1]
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 3:
                break
        else:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def numbered_list(buttons: Sequence[Button]) -> str:
    """Buttons for channels without them: the customer answers with the number. Buttons that are the numbers
    themselves (a 1–5 rating) need no list: the question already asks for a number."""
    if all(button.title == str(number) for number, button in enumerate(buttons, start=1)):
        return ""
    return "\n".join(f"{number}. {button.title}" for number, button in enumerate(buttons, start=1))


def render(text: str, buttons: Sequence[Button] = (), image: Optional[str] = None, *, limits: Limits) -> List[Part]:
    """The messages a channel sends for one response, in order."""
    buttons = [Button(shorten(b.title, limits.button_title), b.payload) for b in buttons]
    if buttons and not limits.buttons:
        text = "\n\n".join(part for part in (text, numbered_list(buttons)) if part)
        buttons = []
    parts: List[Part] = []
    if image:
        caption_fits = limits.caption and len(text) <= limits.caption and not buttons
        parts.append(Part(text=text if caption_fits else "", image=image))
        if caption_fits:
            return parts
    chunks = split_text(text, limits.text) if text else []
    if buttons and not chunks:
        raise ValueError("a channel needs text to show buttons with")
    parts.extend(Part(text=chunk) for chunk in chunks)
    if buttons:  # still here only where the channel has buttons; more than one message holds continue in the next
        groups = [buttons[start:start + limits.buttons] for start in range(0, len(buttons), limits.buttons)]
        parts[-1].buttons = groups[0]
        parts.extend(Part(text="…", buttons=group) for group in groups[1:])
    return parts
