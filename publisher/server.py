"""Running the service under uvicorn, with the scheduler started and stopped around it."""

from __future__ import annotations

import logging
import os
import socket

import uvicorn

from publisher.app import Publisher
from publisher.errors import ConfigError
from publisher.logs import configure, event
from publisher.service import Service
from publisher.web.app import create_app


def run_server(app: Publisher, host: str, port: int, *, scheduler: bool = True) -> None:
    """Serve until interrupted (SIGINT/SIGTERM).

    The service starts and stops inside uvicorn's lifespan: uvicorn re-raises
    the stopping signal once it has shut down, so code after ``run()`` would
    never get the chance to let a send pause cleanly. The whole shutdown takes
    ``[server] shutdown_seconds`` at most: requests and running work get that
    long from the signal, side by side.
    """
    listener = listen(host, port)
    configure()
    event(logging.getLogger(__name__), "listening", url=f"http://{host}:{port}/")
    service = Service(app, scheduler=scheduler)
    config = uvicorn.Config(
        create_app(service, run_service=True),
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=app.settings.server.forwarded_allow_ips,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=max(1, round(app.settings.server.shutdown_seconds)),
    )
    try:
        _Server(config, service).run(sockets=[listener])
    except KeyboardInterrupt:
        _leave_if_work_runs(service, 130)
        raise
    _leave_if_work_runs(service, 0)


class _Server(uvicorn.Server):
    """uvicorn's server, telling the service to pause its work as soon as shutdown begins."""

    def __init__(self, config: uvicorn.Config, service: Service) -> None:
        super().__init__(config)
        self.service = service

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.service.begin_stop()
        await super().shutdown(sockets)


def _leave_if_work_runs(service: Service, status: int) -> None:
    """Exit now if work outlived the shutdown's deadline.

    The interpreter would otherwise wait for its threads at exit, however long
    they take. Leaving them is what a kill -9 does, and the ledger is built for
    that: an interrupted send resumes on the next start. (After SIGTERM uvicorn
    re-raises the signal, which ends the process without waiting anyway.)
    """
    if service.work_left:
        logging.shutdown()
        os._exit(status)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, or a clear error (a port in use is the usual one) before anything starts."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as e:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {e.strerror or e}",
            "choose another with --port (or [server] port), or stop what uses it",
        ) from e
    return listener
