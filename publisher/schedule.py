"""The publishing cycle on APScheduler: persistent cron jobs, one per cycle.

Jobs live in the publisher's own database (APScheduler's SQLAlchemy job store),
so a restart loses nothing. A tick missed while the service was down runs once
when it comes back within ``[schedule] grace_seconds`` (coalesced, never twice);
an older one is skipped. Only the service process runs jobs; ``publisher
schedule`` reads what is stored without running anything.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import DBAPIError

from publisher.app import Publisher
from publisher.cron import cron_trigger

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"
DEFAULT_CYCLE = "cycle"  # the job for every publication without a cron of its own

# The one Publisher whose jobs this process runs. Stored jobs name a function
# and plain arguments (they must survive a restart), so the function finds the
# live Publisher here rather than in its pickled arguments.
_running: dict[str, Callable[[str | None], object]] = {}


@dataclass(frozen=True)
class PlannedRun:
    """One cycle job and when it runs next."""

    job: str
    cron: str
    next_run: dt.datetime | None


def cycle_job_id(publication: str | None) -> str:
    """The job id of a publication's cycle (None: the default cycle)."""
    return DEFAULT_CYCLE if publication is None else f"{DEFAULT_CYCLE}:{publication}"


def run_tick(publication: str | None) -> None:
    """What a stored cycle job calls: one tick of the running service's cycle."""
    tick = _running.get("tick")
    if tick is None:
        log.warning("cycle tick with no service running", extra={"publication": publication})
        return
    tick(publication)


def job_store(app: Publisher) -> SQLAlchemyJobStore:
    """The stored cycle jobs, readable without a scheduler (which might run a due job)."""
    store = _sql_job_store(app)
    store.start(None, "default")  # no scheduler is attached
    return store


def make_scheduler(app: Publisher) -> BackgroundScheduler:
    """A scheduler whose cycle jobs persist in the publisher's database."""
    settings = app.settings
    return BackgroundScheduler(
        jobstores={
            "default": _sql_job_store(app),
            "memory": MemoryJobStore(),  # one-off work such as a send triggered by an editor
        },
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.schedule.grace_seconds,
        },
        timezone=settings.timezone,
    )


def _sql_job_store(app: Publisher) -> SQLAlchemyJobStore:
    """APScheduler's store on our database, its table created first (it only checks, then creates).

    Processes starting together on a new database may both find the table
    missing; the one whose CREATE comes second takes the other's table.
    """
    store = SQLAlchemyJobStore(engine=app.db.engine, tablename=JOB_TABLE)
    try:
        store.jobs_t.create(app.db.engine, checkfirst=True)
    except DBAPIError as e:
        if "already exists" not in str(e.orig):
            raise
    return store


def install_cycles(
    scheduler: BackgroundScheduler, app: Publisher, tick: Callable[[str | None], object]
) -> None:
    """Add or update the cycle jobs from the settings; keep stored jobs whose cron is unchanged.

    An unchanged job keeps its stored next run time: that is how a tick missed
    while the service was down is still run on start.
    """
    _running["tick"] = tick
    wanted = {cycle_job_id(None): app.settings.schedule.cron}
    wanted |= {cycle_job_id(name): cron for name, cron in app.settings.schedule.crons.items()}
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(DEFAULT_CYCLE) and job.id not in wanted:
            scheduler.remove_job(job.id, jobstore="default")
    for job_id, cron in wanted.items():
        trigger = cron_trigger(cron, app.settings.timezone)
        existing = scheduler.get_job(job_id, jobstore="default")
        if existing is not None and str(existing.trigger) == str(trigger):
            continue
        publication = None if job_id == DEFAULT_CYCLE else job_id.split(":", 1)[1]
        scheduler.add_job(
            "publisher.schedule:run_tick",
            trigger=trigger,
            args=[publication],
            id=job_id,
            name=f"publishing cycle ({publication or 'all publications'})",
            jobstore="default",
            replace_existing=True,
        )


def planned_runs(app: Publisher) -> list[PlannedRun]:
    """The cycle jobs and their next runs: as stored by the service, else as configured."""
    stored = {job.id: job.next_run_time for job in job_store(app).get_all_jobs()}
    now = dt.datetime.now(app.settings.timezone)
    crons = {None: app.settings.schedule.cron, **app.settings.schedule.crons}
    runs = []
    for publication, cron in crons.items():
        job_id = cycle_job_id(publication)
        next_run = stored.get(job_id)
        if job_id not in stored:
            next_run = cron_trigger(cron, app.settings.timezone).get_next_fire_time(None, now)
        runs.append(PlannedRun(job_id, cron, next_run))
    return runs
