"""Running the app: HTTP mode (uvicorn on a bound socket) or Socket Mode.

Both stop on SIGTERM/SIGINT, then drain the answer pool so in-flight answers finish.
``HttpServer`` also runs in a background thread, which is how the tests drive it.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from types import FrameType

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.http import build_asgi
from bot.services import Services

log = logging.getLogger(__name__)


class HttpServer:
    """uvicorn serving the ASGI app on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, app: App, services: Services, *, host: str, port: int) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        config = uvicorn.Config(
            build_asgi(app, services),
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=services.settings.answer_timeout_seconds,
            backlog=512,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT (uvicorn finishes in-flight requests)."""
        self.server.run(sockets=[self.socket])

    def start_in_thread(self, timeout: float = 10.0) -> HttpServer:
        self._thread = threading.Thread(target=self.run, name="http-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()


def run_http(app: App, services: Services) -> None:
    settings = services.settings
    server = HttpServer(app, services, host=settings.host, port=settings.port)
    log.info("serving Slack events over HTTP at %s/slack/events", server.url)
    try:
        server.run()
    finally:
        log.info("stopping: letting in-flight answers finish")
        services.close()


def run_socket_mode(app: App, services: Services, *, app_token: str) -> None:
    """Socket Mode with slack_sdk's built-in client; no public URL needed."""
    handler = SocketModeHandler(app, app_token=app_token)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    handler.connect()
    log.info("connected to Slack in Socket Mode")
    try:
        stop.wait()
    finally:
        log.info("stopping: letting in-flight answers finish")
        handler.close()
        services.close()
