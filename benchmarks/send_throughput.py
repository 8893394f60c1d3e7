"""How fast 'publisher send' delivers, measured against Postfix's smtp-source as the yardstick.

Starts ``smtp-sink`` on loopback, times ``smtp-source`` sending 20,000 messages
of the digest's size over 16 reused sessions, then times ``publisher send`` of
the sample issue, personalised and with its ledger, to 20,000 subscribers
through the same sink (pool of 16 connections). The last line is
``ratio: X.XX`` (publisher's rate over smtp-source's); the goal is at least 0.5.

Run: .venv/bin/python benchmarks/send_throughput.py [--subscribers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "xinjimo-2890.md"
SMTP_SINK = "/usr/sbin/smtp-sink"
SMTP_SOURCE = "/usr/sbin/smtp-source"
SESSIONS = 16
GOAL = 0.5  # publisher's rate over smtp-source's


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[int]:
    """Run Postfix's smtp-sink (accepts and discards everything) on a free port."""
    if not Path(SMTP_SINK).exists():
        sys.exit(f"{SMTP_SINK} is missing: install the Debian package postfix")
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
    sink = subprocess.Popen([SMTP_SINK, *user, f"127.0.0.1:{port}", "1024"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        sink.terminate()
        sink.wait()


def publisher_env(data_dir: Path, delivery_url: str) -> dict[str, str]:
    """The environment of a publisher on ``data_dir`` delivering to ``delivery_url``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PUBLISHER_")}
    return {
        **clean,
        "PUBLISHER_DATA_DIR": str(data_dir),
        "PUBLISHER_SECURITY_SECRET": "benchmark-secret",
        "PUBLISHER_EMAIL_FROM_ADDRESS": "newsletter@xinjimo.cn",
        "PUBLISHER_SITE_BASE_URL": "https://news.xinjimo.cn/",
        "PUBLISHER_DELIVERY_URL": delivery_url,
    }


def prepare(environment: dict[str, str], subscribers: int) -> int:
    """Store the sample issue and ``subscribers`` active subscribers; returns one message's size."""
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        from publisher.app import Publisher
        from publisher.config import load_settings
        from publisher.deliver.service import dry_run
        from publisher.ingest import ingest_files
        from subscribers.model import NewSubscriber

        app = Publisher(load_settings())
        ingest_files(app, [SAMPLE])
        chunk = 10_000
        for start in range(0, subscribers, chunk):
            app.subscribers.add_many(
                [
                    NewSubscriber(email=f"reader{i}@example.com", name=f"读者{i}")
                    for i in range(start, min(start + chunk, subscribers))
                ]
            )
        size = dry_run(app, 2890).message_bytes
        app.close()
        return size
    finally:
        os.environ.clear()
        os.environ.update(saved)


def time_smtp_source(port: int, messages: int, size: int) -> float:
    """Seconds smtp-source takes for ``messages`` of ``size`` bytes over reused sessions."""
    started = time.perf_counter()
    subprocess.run(
        [
            SMTP_SOURCE,
            "-s",
            str(SESSIONS),
            "-m",
            str(messages),
            "-l",
            str(size),
            "-d",
            f"127.0.0.1:{port}",
        ],
        check=True,
    )
    return time.perf_counter() - started


def time_publisher_send(environment: dict[str, str]) -> float:
    """Seconds the whole 'publisher send 2890' command takes, start to exit."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "send", "2890"],
        env=environment,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"publisher send failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(done.stdout.strip().splitlines()[-2])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    args = parser.parse_args()
    count = args.subscribers
    work = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    try:
        with smtp_sink() as port:
            url = f"smtp://127.0.0.1:{port}?pool={SESSIONS}"
            environment = publisher_env(work / "var", url)
            size = prepare(environment, count)
            print(f"digest message: {size} bytes; {count} messages; {SESSIONS} sessions")
            yardstick = time_smtp_source(port, count, size)
            print(f"smtp-source: {yardstick:.2f} s, {count / yardstick:.0f} msg/s")
            ours = time_publisher_send(environment)
            print(f"publisher send: {ours:.2f} s, {count / ours:.0f} msg/s (whole command)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = yardstick / ours
    print(f"ratio: {ratio:.2f}")
    if ratio < GOAL:
        sys.exit(1)  # the figures are printed; the exit status says the goal was missed


if __name__ == "__main__":
    main()
