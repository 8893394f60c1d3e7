"""Commands of the running service: serve, schedule, run-cycle, admin-password."""

from __future__ import annotations

import click

from publisher.cli.context import cli, get_app
from publisher.schedule import planned_runs


@cli.command()
@click.option("--host", help="Address to listen on (default: [server] host, 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: [server] port, 8000).")
@click.option(
    "--no-scheduler", is_flag=True, help="Serve only; leave the cycle to another process."
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, no_scheduler: bool) -> None:
    """Run the service: the publishing cycle, feeds and pages, subscribing, the console."""
    from publisher.server import run_server

    app = get_app(ctx)
    run_server(
        app,
        host or app.settings.server.host,
        port or app.settings.server.port,
        scheduler=not no_scheduler,
    )


@cli.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Show the publishing cycles and when each runs next."""
    for run in planned_runs(get_app(ctx)):
        when = run.next_run.isoformat() if run.next_run else "never"
        click.echo(f"{run.job}\t{run.cron}\tnext: {when}")


@cli.command("run-cycle")
@click.option("--publication", "-p", metavar="NAME", help="Run that publication's cycle only.")
@click.pass_context
def run_cycle_command(ctx: click.Context, publication: str | None) -> None:
    """Run one tick of the publishing cycle now: inbox, build, due sends."""
    from publisher.cycle import run_cycle

    report = run_cycle(get_app(ctx), publication)
    for item in report.inbox.ingested:
        click.echo(f"ingested: {item.path.name} ({item.status}, 第{item.issue.number}期)")
    for path, reason in report.inbox.failed:
        click.echo(f"refused: {path.name}: {reason}")
    for sent in report.sends:
        counts = ", ".join(f"{state} {n}" for state, n in sent.counts.as_dict().items())
        click.echo(f"send {sent.send.id}: {sent.send.publication} 第{sent.send.number}期: {counts}")
    click.echo(", ".join(f"{k} {v}" for k, v in report.facts().items()))


@cli.command("admin-password")
@click.password_option(prompt="Editors' console password")
def admin_password(password: str) -> None:
    """Print the hash of a console password, for [admin] password_hash."""
    from publisher.web.admin import hash_password

    click.echo(hash_password(password))
