"""The database: schema creation and connections, on SQLite or PostgreSQL."""

from __future__ import annotations

import threading

from publisher.app import Publisher
from publisher.config import load_settings
from publisher.schedule import job_store


def test_processes_starting_together_on_an_empty_database_all_start(env: dict[str, str]) -> None:
    # The service, a cron job and an editor's command may all be first on a new database.
    barrier, schema_made = threading.Barrier(4, timeout=60), threading.Barrier(4, timeout=60)
    errors: list[BaseException] = []

    def start() -> None:
        app = Publisher(load_settings())
        try:
            barrier.wait()
            app.db  # noqa: B018  the schema is made on first use
            schema_made.wait()
            job_store(app)  # then the scheduler's own table, all at once
        except BaseException as e:  # reported below; a thread cannot fail the test itself
            errors.append(e)
        finally:
            app.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
