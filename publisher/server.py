"""Running the service under uvicorn, with the scheduler started and stopped around it."""

from __future__ import annotations

import uvicorn

from publisher.app import Publisher
from publisher.logs import configure
from publisher.service import Service
from publisher.web.app import create_app


def run_server(app: Publisher, host: str, port: int, *, scheduler: bool = True) -> None:
    """Serve until interrupted (SIGINT/SIGTERM).

    The service starts and stops inside uvicorn's lifespan: uvicorn re-raises
    the stopping signal once it has shut down, so code after ``run()`` would
    never get the chance to let a send pause cleanly.
    """
    configure()
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
    uvicorn.Server(config).run()
