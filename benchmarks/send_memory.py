"""Peak memory of 'publisher send' to 200,000 subscribers: it must stream, never load them all.

Stores the sample issue and 200,000 subscribers, then runs the whole
``publisher send 2890`` command against ``smtp-sink`` on loopback and reads
the peak resident set size of the largest process of the send (the command
itself; its SMTP child processes are smaller). The last line is
``peak_rss_mb: N``; the goal is under 200.

Run: .venv/bin/python benchmarks/send_memory.py [--subscribers N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from send_throughput import SESSIONS, prepare, publisher_env, smtp_sink


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    try:
        with smtp_sink() as port:
            environment = publisher_env(work / "var", f"smtp://127.0.0.1:{port}?pool={SESSIONS}")
            started = time.perf_counter()
            prepare(environment, args.subscribers)
            print(f"stored {args.subscribers} subscribers in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "publisher", "send", "2890"],
                env=environment,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0:
        sys.exit(f"publisher send failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(done.stdout.strip().splitlines()[-2])
    print(f"send: {elapsed:.0f} s, {args.subscribers / elapsed:.0f} msg/s")
    # ru_maxrss of waited-for children is the largest one's peak, in KiB on Linux.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak_rss_mb: {peak_kib / 1024:.0f}")


if __name__ == "__main__":
    main()
