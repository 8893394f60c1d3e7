"""A real HTTP server (uvicorn on an ephemeral loopback port) around a real Service."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from publisher.app import Publisher
from publisher.service import Service
from publisher.web.app import create_app


@dataclass
class Live:
    url: str  # ends with a slash
    service: Service

    def local(self, link: str) -> str:
        """A link made for ``[site] base_url`` (as in an email), pointed at this server."""
        return link.replace(self.service.app.settings.site.base_url, self.url)


@contextmanager
def live_service(app: Publisher, *, scheduler: bool = False) -> Iterator[Live]:
    """Serve ``app`` on 127.0.0.1 at a free port for the duration of the block."""
    service = Service(app, scheduler=scheduler)
    service.start()
    config = uvicorn.Config(
        create_app(service), host="127.0.0.1", port=0, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Live(f"http://127.0.0.1:{port}/", service)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        service.stop()


def form_token(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)
