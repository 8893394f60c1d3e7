"""Running the service under uvicorn, with the scheduler started and stopped around it."""

from __future__ import annotations

import uvicorn

from publisher.app import Publisher
from publisher.logs import configure
from publisher.service import Service
from publisher.web.app import create_app


def run_server(app: Publisher, host: str, port: int, *, scheduler: bool = True) -> None:
    """Serve until interrupted (SIGINT/SIGTERM), then stop the cycle cleanly."""
    configure()
    service = Service(app, scheduler=scheduler)
    service.start()
    try:
        config = uvicorn.Config(
            create_app(service),
            host=host,
            port=port,
            log_config=None,
            proxy_headers=True,
            server_header=False,
        )
        uvicorn.Server(config).run()
    finally:
        service.stop()
