"""The long-running service: the publishing cycle on a scheduler, plus what the web app calls.

``Service`` wires library calls together (inbox, build, send, subscriber mail);
it holds no business rules of its own. The web app and the scheduler's jobs
both go through it, so the console and the command line do the same things.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text

from publisher.app import Publisher
from publisher.cycle import CycleReport, resume_interrupted, run_cycle
from publisher.deliver.message import render_confirmation
from publisher.deliver.service import (
    open_transport,
    send_issue,
    send_test,
    sends_of_issue,
)
from publisher.deliver.transport import Outcome
from publisher.errors import DeliveryError, NotFoundError
from publisher.ingest import Ingested, ingest_upload
from publisher.logs import event
from publisher.model import Issue
from publisher.render.build import build_changed
from publisher.render.digest import render_digest
from publisher.render.preview import preview_values
from publisher.schedule import install_cycles, make_scheduler
from subscribers.model import Subscriber
from subscribers.tokens import current_secret

log = logging.getLogger(__name__)


class Service:
    """One publisher, its scheduler, and the actions of the web app."""

    def __init__(self, app: Publisher, *, scheduler: bool = True) -> None:
        self.app = app
        self.scheduler = make_scheduler(app) if scheduler else None
        self._stop = threading.Event()  # set on shutdown: sends pause at a safe point
        self._stop_by: float | None = None  # when shutdown stops waiting for running work
        self._jobs = 0  # scheduled work running now
        self._jobs_changed = threading.Condition()

    # -- life cycle --------------------------------------------------------------

    def start(self) -> None:
        """Start the publishing cycle and resume any send a restart interrupted."""
        if self.scheduler is not None:
            # Paused first: stored jobs are loaded, and a missed tick is judged, only on resume.
            self.scheduler.start(paused=True)
            install_cycles(self.scheduler, self.app, self.tick)
            self.scheduler.resume()
            self.scheduler.add_job(
                self.resume_sends, jobstore="memory", id="resume-sends", replace_existing=True
            )
        event(log, "service started")

    def begin_stop(self) -> None:
        """Ask running work to pause at a safe point; [server] shutdown_seconds count from now."""
        with self._jobs_changed:
            if self._stop_by is None:
                self._stop_by = time.monotonic() + self.app.settings.server.shutdown_seconds
        self._stop.set()

    def stop(self) -> bool:
        """Stop scheduling; wait for a running tick or send to reach a safe point, for a while.

        The wait ends ``[server] shutdown_seconds`` after ``begin_stop``. Returns
        whether all work stopped in time; work still running then is left as a
        kill -9 would leave it, which the ledger is built for: an interrupted
        send resumes when the service starts again.
        """
        self.begin_stop()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._jobs_changed:
            assert self._stop_by is not None
            left = max(0.0, self._stop_by - time.monotonic())
            finished = self._jobs_changed.wait_for(lambda: self._jobs == 0, left)
            running = self._jobs
        if finished:
            event(log, "service stopped")
        else:
            log.warning(
                "service stopped with work running",
                extra={"running": running, "seconds": self.app.settings.server.shutdown_seconds},
            )
        return finished

    @property
    def work_left(self) -> bool:
        """Whether scheduled work still runs (after a ``stop`` that did not wait it out)."""
        with self._jobs_changed:
            return self._jobs > 0

    @contextmanager
    def _job(self) -> Iterator[None]:
        """Count a piece of scheduled work as running, for ``stop`` to wait on."""
        with self._jobs_changed:
            self._jobs += 1
        try:
            yield
        finally:
            with self._jobs_changed:
                self._jobs -= 1
                self._jobs_changed.notify_all()

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Whether the service can do its work, with the facts a load balancer logs."""
        facts: dict[str, Any] = {}
        try:
            with self.app.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            facts["database"] = "ok"
        except Exception as e:  # any database failure means unhealthy, whatever its kind
            facts["database"] = f"error: {type(e).__name__}"
        if self.scheduler is not None:
            facts["scheduler"] = "running" if self.scheduler.running else "stopped"
        healthy = facts["database"] == "ok" and facts.get("scheduler", "running") == "running"
        facts["status"] = "ok" if healthy else "unhealthy"
        return healthy, facts

    # -- the cycle ---------------------------------------------------------------

    def tick(self, publication: str | None) -> CycleReport:
        """One tick of the publishing cycle (what the scheduler runs)."""
        with self._job():
            report = run_cycle(self.app, publication, self._stop)
        event(log, "cycle tick", publication=publication, **report.facts())
        return report

    # -- the web app's actions -----------------------------------------------------

    def publication_name(self) -> str:
        """The name the pages show: the publication, or all of them when there are several."""
        names = self.app.archive.publications()
        return "、".join(names) if names else "publisher"

    def session_secret(self) -> str:
        """The key that signs session cookies: the configured secret (or the generated one)."""
        # Sessions and links share the key; itsdangerous salts each use differently.
        return current_secret(self.app.settings)

    def publish_upload(self, name: str, data: bytes, *, replace: bool = False) -> Ingested:
        """Ingest an uploaded issue file and build what changed."""
        ingested = ingest_upload(self.app, name, data, replace=replace)
        build_changed(self.app)
        event(
            log, "issue uploaded", file=name, status=ingested.status, number=ingested.issue.number
        )
        return ingested

    def issue(self, slug: str, number: int) -> Issue:
        """The stored issue ``number`` of the publication whose URL slug is ``slug``."""
        for name in self.app.archive.publications():
            if self.app.archive.publication_slug(name) == slug:
                return self.app.archive.get(number, name)
        raise NotFoundError(f"no publication at /{slug}/")

    def preview_html(self, slug: str, number: int) -> str:
        """The digest's HTML as a subscriber will see it (with example personal values)."""
        issue = self.issue(slug, number)
        stored = self.app.archive.stored(number, issue.publication)
        digest = render_digest(self.app.settings, issue, slug, stored.images)
        html, _ = digest.personalize(preview_values(self.app.settings))
        return html

    def issue_and_sends(self, slug: str, number: int) -> tuple[Issue, list[dict[str, Any]]]:
        """An issue and its sends with live counts, as the console shows (and polls) them."""
        issue = self.issue(slug, number)
        sends = [
            {
                "id": send.id,
                "cadence": send.cadence,
                "status": send.status,
                "counts": counts.as_dict(),
            }
            for send, counts, _ in sends_of_issue(self.app, number, issue.publication)
        ]
        return issue, sends

    def test_send(self, slug: str, number: int, email: str) -> None:
        """Mail one digest of the issue to ``email``, outside the ledger."""
        issue = self.issue(slug, number)
        result = send_test(self.app, number, email, issue.publication)
        if result.outcome != Outcome.SENT:
            raise DeliveryError(f"the test to {email} was not accepted: {result.reply}")
        event(log, "test sent", number=number, to=email)

    def trigger_send(self, slug: str, number: int) -> None:
        """Begin sending the issue now, in the background (progress shows on the console)."""
        issue = self.issue(slug, number)
        self._background(
            f"send:{issue.publication}:{number}", self._send, issue.publication, number
        )

    def resume_sends(self) -> None:
        """Resume every send that a crash or restart interrupted."""
        with self._job():
            for report in resume_interrupted(self.app, self._stop):
                event(log, "send resumed", send=report.send.id, **report.counts.as_dict())

    def send_confirmation(self, subscriber: Subscriber) -> None:
        """Mail the double opt-in link to ``subscriber`` now (runs after the response)."""
        settings = self.app.settings
        message = render_confirmation(
            settings, self.publication_name(), self.app.links.confirmation_values(subscriber)
        )
        transport = open_transport(settings)
        try:
            result = transport.send(message, settings.email.from_address, subscriber.email)
        finally:
            transport.close()
        # The address is personal data: the log names the subscriber by id only.
        event(log, "confirmation mailed", subscriber=subscriber.id, outcome=str(result.outcome))

    def _send(self, publication: str, number: int) -> None:
        with self._job():
            report = send_issue(self.app, number, publication, stop=self._stop)
        event(log, "send finished", send=report.send.id, **report.counts.as_dict())

    def _background(self, job_id: str, function: Any, *args: Any) -> None:
        if self.scheduler is not None:
            self.scheduler.add_job(
                function, args=args, id=job_id, jobstore="memory", replace_existing=True
            )
        else:
            threading.Thread(target=function, args=args, name=job_id, daemon=True).start()
