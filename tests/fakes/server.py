"""What the local fakes of platform APIs share: an aiohttp server in a background thread, and a record
of the calls it answered that tests can read and wait on.

A fake subclasses `FakeServer`, names its API in `_api_name`, registers its handlers in `_add_routes`
(by default one catch-all route to `_handle`), sets its URLs in `_started` and records each answered
call with `_record`. Its own state can share `_lock`, which guards the record and is notified on each
recorded call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
import time
from pprint import pformat
from typing import Any, Callable, Dict, List, Optional, TypeVar

from aiohttp import web

Call = Dict[str, Any]
Server = TypeVar("Server", bound="FakeServer")


class FakeServer:
    """An aiohttp application served on a free port of 127.0.0.1 in a background thread, recording calls."""

    _api_name = "platform"  # as in "FakeTelegram is already running" and "no matching Telegram API call"
    _client_max_size = 1024**2  # the largest request body aiohttp accepts
    _handler_cancellation = False  # cancel a handler when its client goes away

    def __init__(self) -> None:
        self._lock = threading.Condition()  # guards the calls and the subclass's state; notified on each call
        self._calls: List[Call] = []
        self._thread: Optional[threading.Thread] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None  # set under _lock while running

    # ----------------------------------------------------------------- what a fake adds

    def _started(self, root_url: str) -> None:
        """Set the fake's URLs from "http://127.0.0.1:<port>", once the server answers."""

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the handlers; by default every request goes to `_handle`."""
        router.add_route("*", "/{path:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError(f"Fake{self._api_name} handles no requests")

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1 in a background thread; sets the fake's URLs."""
        if self._thread is not None:
            raise RuntimeError(f"Fake{self._api_name} is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        started: concurrent.futures.Future[None] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._serve, args=(loop, sock, started), name=f"fake-{self._api_name.lower()}", daemon=True
        )
        thread.start()
        try:
            started.result(timeout=10)
        except BaseException:
            thread.join(timeout=10)
            raise
        self._started(f"http://127.0.0.1:{port}")
        with self._lock:
            self._loop = loop
        self._thread = thread

    def stop(self) -> None:
        """Close the server and end its thread."""
        if self._thread is None:
            return
        with self._lock:  # once None, nothing schedules work on the closing loop
            loop, self._loop = self._loop, None
        assert loop is not None
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=30)
        if self._thread.is_alive():
            raise RuntimeError(f"the Fake{self._api_name} server thread did not stop within 30 s")
        self._thread = None

    def __enter__(self: Server) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(
        self, loop: asyncio.AbstractEventLoop, sock: socket.socket, started: concurrent.futures.Future[None]
    ) -> None:
        """The server thread: start, run until stop(), then shut down within the same loop."""
        asyncio.set_event_loop(loop)
        try:
            runner = loop.run_until_complete(self._start_server(sock))
        except BaseException as error:
            sock.close()
            loop.close()
            started.set_exception(error)
            return
        started.set_result(None)
        loop.run_forever()
        try:
            loop.run_until_complete(self._shutdown(runner))
        finally:
            loop.close()

    async def _start_server(self, sock: socket.socket) -> web.AppRunner:
        app = web.Application(client_max_size=self._client_max_size)
        self._add_routes(app.router)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=5.0, handler_cancellation=self._handler_cancellation
        )
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return runner

    async def _shutdown(self, runner: web.AppRunner) -> None:
        """Loop thread, after stop(): close the server."""
        await runner.cleanup()

    # ----------------------------------------------------------------- what the client did

    @property
    def calls(self) -> List[Call]:
        """Every API call so far in the order they were answered (a copy); the fake's docstring
        says what a call holds."""
        with self._lock:
            return list(self._calls)

    def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 10.0, *, after: int = 0) -> Call:
        """The first matching call at index `after` or later, waiting up to `timeout` s for it.

        Calls recorded before wait_for count too: pass after=len(fake.calls), taken before the
        action, to wait for a new one."""
        deadline = time.monotonic() + timeout
        with self._lock:
            checked = after
            while True:
                for call in self._calls[checked:]:
                    if predicate(call):
                        return call
                checked = max(checked, len(self._calls))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching {self._api_name} API call within {timeout} s; "
                        f"calls so far:\n{pformat(self._calls)}"
                    )
                self._lock.wait(remaining)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()
