"""Peak memory of 'publisher send' to 200,000 subscribers: it must stream, never load them all.

Stores the sample issue and 200,000 subscribers, then runs the whole
``publisher send 2890`` command against ``smtp-sink`` on loopback and reads
the peak resident set size of the command's process (its SMTP child
processes are separate and smaller). The last line is
``peak_rss_mb: N``; the goal is under 200.

Run: .venv/bin/python benchmarks/send_memory.py [--subscribers N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from send_throughput import SESSIONS, prepare, publisher_env, smtp_sink

LIMIT_MB = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    try:
        with smtp_sink() as port:
            environment = publisher_env(work / "var", f"smtp://127.0.0.1:{port}?pool={SESSIONS}")
            started = time.perf_counter()
            # Stored from a separate process: Linux carries a process's peak RSS across
            # exec, so the sender must be started from a parent that stayed small.
            setup = multiprocessing.get_context("spawn").Process(
                target=prepare, args=(environment, args.subscribers)
            )
            setup.start()
            setup.join()
            print(f"stored {args.subscribers} subscribers in {time.perf_counter() - started:.0f} s")
            log = work / "send.log"
            started = time.perf_counter()
            with log.open("w") as out:
                sender = subprocess.Popen(
                    [sys.executable, "-m", "publisher", "send", "2890"],
                    env=environment,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            _, status, usage = os.wait4(sender.pid, 0)
            elapsed = time.perf_counter() - started
            output = log.read_text("utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"publisher send failed:\n{output}")
    print(output.strip().splitlines()[-2])
    print(f"send: {elapsed:.0f} s, {args.subscribers / elapsed:.0f} msg/s")
    # ru_maxrss is in KiB on Linux: the send command's own peak (its SMTP children
    # are separate, smaller processes).
    peak_mb = usage.ru_maxrss / 1024
    print(f"peak_rss_mb: {peak_mb:.0f}")
    if peak_mb >= LIMIT_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
