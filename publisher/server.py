"""Running the service under uvicorn, with the scheduler started and stopped around it."""

from __future__ import annotations

import logging
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
    never get the chance to let a send pause cleanly.
    """
    listener = listen(host, port)
    configure()
    event(logging.getLogger(__name__), "listening", url=f"http://{host}:{port}/")
    config = uvicorn.Config(
        create_app(Service(app, scheduler=scheduler), run_service=True),
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=app.settings.server.forwarded_allow_ips,
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[listener])


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
