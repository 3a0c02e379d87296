"""The embeddable web chat as the staff service serves it: the widget, the one-tag embed script and a demo page.

The widget is the npm package rasa-webchat (web/package.json, installed by scripts/env.sh); it talks socket.io
to the Rasa server (`bot.channels.webchat.WebChatInput`) at the public URL from `RASA_PUBLIC_URL`.
"""
from __future__ import annotations

import json
from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, json as json_response, text

from bot.config import ROOT

WIDGET = ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
DEMO_PAGE = Path(__file__).parent / "templates" / "demo.html"
JAVASCRIPT = "text/javascript; charset=utf-8"

# What the widget shows; its session id and conversation live in localStorage, so both survive a reload.
WIDGET_OPTIONS = {
    "initPayload": "/greet",
    "socketPath": "/socket.io/",
    "title": "Lindner Radwerk",
    "subtitle": "Wir helfen gern",
    "inputTextFieldHint": "Ihre Frage …",
    "connectingText": "Verbindung wird hergestellt …",
    "params": {"storage": "local"},
    "mainColor": "#1f5c4a",  # the company's green (header, launcher), as on its website
    "userBackgroundColor": "#1f5c4a",
}

# Loads widget.js from wherever embed.js came from, so the company's page needs nothing but the one tag.
EMBED_SCRIPT = """\
/* Lindner Radwerk web chat. Embed with: <script src="https://<staff service>/webchat/embed.js" async></script> */
(function () {
  var options = %s;
  var widget = document.createElement("script");
  widget.src = new URL("widget.js", document.currentScript.src).href;
  widget.async = true;
  widget.onload = function () { window.WebChat.default(options, null); };
  document.head.appendChild(widget);
})();
"""

webchat = Blueprint("webchat")


@webchat.get("/webchat/widget.js")
async def get_widget(request: Request) -> HTTPResponse:
    """The rasa-webchat bundle; without it (npm missing when the environment was made) say how to get it."""
    if not WIDGET.is_file():
        return json_response({"error": "The web chat widget is not installed: install Node.js with npm, then run "
                                       "`npm ci` in web/ (scripts/start and scripts/test do this when npm is there)."},
                             status=503)
    return await file(WIDGET, mime_type=JAVASCRIPT)


@webchat.get("/webchat/embed.js")
async def get_embed_script(request: Request) -> HTTPResponse:
    """The script a company includes with one tag; it points the widget at the Rasa server's public URL."""
    options = {**WIDGET_OPTIONS, "socketUrl": request.app.ctx.settings.rasa_public_url}
    return text(EMBED_SCRIPT % json.dumps(options, ensure_ascii=False), content_type=JAVASCRIPT)


@webchat.get("/")
async def get_demo_page(request: Request) -> HTTPResponse:
    """A stand-in for the company's website, with the chat embedded exactly as a company would embed it."""
    return await file(DEMO_PAGE, mime_type="text/html; charset=utf-8")
