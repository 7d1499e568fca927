"""Running the app: HTTP mode (uvicorn on a bound socket) or Socket Mode.

``advisor serve`` serves from background threads (uvicorn, or slack_sdk's Socket Mode
client) while the main thread waits for SIGTERM/SIGINT; then it stops taking requests and
``shutdown`` lets in-flight work finish: listeners still running after their ack, the
check-in scheduler's jobs, then the answer pool. uvicorn is never given the main thread: it
would re-raise the signal after its own shutdown and kill the process before the drain.
``HttpServer`` and ``start_socket_mode`` are also how the tests drive both modes. In Socket
Mode, ``ADVISOR_HEALTH_PORT`` (when set) gets a ``HealthServer`` with ``/healthz`` and
``/metrics``; HTTP mode serves both from its own port.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Self

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from starlette.types import ASGIApp

from bot.scheduling.scheduler import CheckinScheduler
from bot.services import Services
from bot.slack.http import build_asgi, build_health_asgi

log = logging.getLogger(__name__)


class AsgiServer:
    """uvicorn serving an ASGI app on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, asgi: ASGIApp, *, host: str, port: int, graceful_seconds: int) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        config = uvicorn.Config(
            asgi,
            log_level="warning",
            log_config=None,  # uvicorn's records go through the advisor's safe handler
            access_log=False,
            timeout_graceful_shutdown=graceful_seconds,
            backlog=512,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def run(self) -> None:
        """Serve until ``stop()`` (uvicorn finishes in-flight requests)."""
        self.server.run(sockets=[self.socket])

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start_in_thread(self, timeout: float = 10.0) -> Self:
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


class HttpServer(AsgiServer):
    """HTTP mode: Slack's requests, ``/healthz`` and ``/metrics`` (``bot.slack.http``)."""

    def __init__(self, app: App, services: Services, *, host: str, port: int) -> None:
        graceful = int(services.settings.answer_timeout_seconds) + 1
        super().__init__(build_asgi(app, services), host=host, port=port, graceful_seconds=graceful)


class HealthServer(AsgiServer):
    """Socket Mode's ``/healthz`` and ``/metrics`` on ``ADVISOR_HEALTH_PORT``."""

    def __init__(self, services: Services, *, host: str, port: int) -> None:
        super().__init__(build_health_asgi(services), host=host, port=port, graceful_seconds=1)


def start_socket_mode(app: App, *, app_token: str) -> SocketModeHandler:
    """Connect with slack_sdk's built-in Socket Mode client; ``handler.close()`` stops it."""
    handler = SocketModeHandler(app, app_token=app_token)
    try:
        handler.connect()
    except BaseException:
        handler.close()  # its client's threads started with it
        raise
    return handler


def stop_socket_mode(handler: SocketModeHandler, *, timeout: float = 10.0) -> bool:
    """Disconnect, but never hang shutdown on it: slack_sdk's built-in client can block in
    ``close()`` behind a socket read. Returns False (and logs) if it did not finish in time.
    """
    closer = threading.Thread(target=handler.close, name="socket-mode-close", daemon=True)
    closer.start()
    closer.join(timeout)
    if closer.is_alive():
        log.warning("socket mode client did not close within %.0fs; shutting down anyway", timeout)
        return False
    return True


def shutdown(app: App, services: Services, *, scheduler: CheckinScheduler | None = None) -> None:
    """After intake stopped: finish listeners, stop the scheduler, drain answers, close the DB.

    Listeners run after the ack (bolt's listener executor) and queue answers on the pool, so
    they finish first, or an answer acked just before the signal would find the pool closed.
    """
    log.info("stopping: letting in-flight answers finish")
    app.listener_runner.listener_executor.shutdown(wait=True)
    if scheduler is not None:
        scheduler.shutdown()
    services.close()


def wait_for_stop_signal(*, alive: Callable[[], bool]) -> None:
    """Block the main thread until SIGTERM or SIGINT, or until ``alive()`` turns False."""
    received: list[int] = []
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(timeout=0.5) and alive():
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    names = [signal.Signals(signum).name for signum in received]
    log.info("stop requested (%s)", ", ".join(names) or "server thread ended")


def run_http(app: App, services: Services, *, scheduler: CheckinScheduler | None = None) -> None:
    settings = services.settings
    server: HttpServer | None = None
    try:
        server = HttpServer(app, services, host=settings.host, port=settings.port)
        server.start_in_thread()
        log.info("serving Slack events over HTTP at %s/slack/events", server.url)
        wait_for_stop_signal(alive=server.running)
    finally:
        if server is not None:
            server.stop()
        shutdown(app, services, scheduler=scheduler)


def run_socket_mode(
    app: App,
    services: Services,
    *,
    app_token: str,
    scheduler: CheckinScheduler | None = None,
) -> None:
    """Socket Mode with slack_sdk's built-in client; no public URL needed. With
    ``ADVISOR_HEALTH_PORT`` set, ``/healthz`` and ``/metrics`` are served there meanwhile."""
    settings = services.settings
    handler: SocketModeHandler | None = None
    health: HealthServer | None = None
    try:
        if settings.health_port is not None:
            health = HealthServer(services, host=settings.host, port=settings.health_port)
            health.start_in_thread()
            log.info("serving /healthz and /metrics at %s", health.url)
        handler = start_socket_mode(app, app_token=app_token)
        client = handler.client
        log.info("connected to Slack in Socket Mode")
        wait_for_stop_signal(alive=lambda: not client.closed)
    finally:
        try:
            if handler is not None:
                stop_socket_mode(handler)
            shutdown(app, services, scheduler=scheduler)
        finally:
            if health is not None:
                health.stop()
