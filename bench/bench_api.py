"""Benchmark: events ingested over HTTP by a live ``docket run`` on SQLite.

    python bench/bench_api.py                      # 20,000 events of each kind (≈3 min)
    python bench/bench_api.py --events 5000        # a quick run

It starts ``docket run`` (API, scheduler, inbox loop; the outbox relay off) on a fresh SQLite
file and a free loopback port, creates an integrator token, writes the parties and places the
accounts through the API, then a separate load process posts ``--events`` events (bounded also
by ``--seconds``) over ``--concurrency`` keep-alive connections, each with its own
Idempotency-Key. The load process speaks HTTP/1.1 on raw sockets, so the client costs little
of the two cores the server shares with it. Reported: events accepted per second, latency
percentiles (request written → response read), the server's CPU use, and how long the inbox
loop took to process everything (the engine's throughput behind the API).

Two kinds of event by default, each on a fresh server: ``onAfterDeceased``, which no trigger of
the test agency listens to (the inbox loop still processes and traces each one), and
``onDispute``, whose path changes status and worklist (two derived events) and then waits ten
days. The targets (≥ 1,000 events/s, p99 < 100 ms) are judged on the first kind — the cost of
ingesting — and the exit status is 1 when they are missed; the second shows what a busy
inbox loop, sharing the process, takes away from ingest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "tests" / "api" / "config"
DOCKET = [sys.executable, "-c", "from engine.cli.main import main; main()"]
TARGET_RATE = 1000.0
TARGET_P99 = 0.100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the load process ------------------------------------------------------------------------


async def _connection(
    port: int, token: str, plan: dict[str, Any], counter: list[int], out: dict[str, Any]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
    )
    try:
        while counter[0] < plan["events"] and time.perf_counter() < plan["deadline"]:
            n = counter[0]
            counter[0] += 1
            account = f"B{n % plan['accounts']:05d}"
            body = json.dumps(
                {"name": plan["event"], "account": account, "data": {"n": n}}
            ).encode()
            request = (
                head + f"Idempotency-Key: bench-{plan['run']}-{n}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            header = await reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = 0
            for line in header.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            out["latencies"].append(time.perf_counter() - started)
            out["status"][status] = out["status"].get(status, 0) + 1
    finally:
        writer.close()


def _load(port: int, token: str, plan: dict[str, Any], results: Any) -> None:
    """The load process: ``plan['concurrency']`` connections until the count or time is up."""
    out: dict[str, Any] = {"latencies": [], "status": {}}
    counter = [0]

    async def main() -> float:
        plan["deadline"] = time.perf_counter() + plan["seconds"]
        started = time.perf_counter()
        await asyncio.gather(
            *(_connection(port, token, plan, counter, out) for _ in range(plan["concurrency"]))
        )
        return time.perf_counter() - started

    out["wall"] = asyncio.run(main())
    results.put(out)


# --- the orchestration -----------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _pending(http: httpx.Client) -> int:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("docket_inbox_pending "):
            return int(float(line.split()[1]))
    return -1


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="docket-bench-api-"))
    db = f"sqlite:///{folder / 'docket.db'}"
    made = subprocess.run(
        [*DOCKET, "token", "create", "--role", "integrator", "--db", db],
        capture_output=True,
        text=True,
        check=True,
    )
    token = made.stdout.strip()
    port = _free_port()
    log = (folder / "server.log").open("w")
    command = [*DOCKET, "run", "--port", str(port), "--config", str(args.config), "--db", db]
    command += ["--no-relay"] + ([] if args.access_log else ["--no-access-log"])
    server = subprocess.Popen(command, stderr=log)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, headers=auth, timeout=30) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"docket run did not start; see {folder / 'server.log'}")
                time.sleep(0.1)
            for i in range(args.accounts):
                http.put(f"/parties/P{i:05d}", json={"name": f"Party {i}"}).raise_for_status()
                http.post(
                    "/operations/place_account",
                    json={
                        "account": f"B{i:05d}",
                        "client": "ACME",
                        "parties": [f"P{i:05d}"],
                        "balances": {"principal": "250.00"},
                    },
                ).raise_for_status()
            while _pending(http) > 0:
                time.sleep(0.2)

            results: Any = multiprocessing.Queue()
            plan = {
                "events": args.events,
                "seconds": args.seconds,
                "concurrency": args.concurrency,
                "accounts": args.accounts,
                "event": args.single,
                "run": os.getpid(),
            }
            cpu_before = _cpu_seconds(server.pid)
            loader = multiprocessing.Process(target=_load, args=(port, token, plan, results))
            started = time.perf_counter()
            loader.start()
            out = results.get()
            loader.join()
            cpu_load = _cpu_seconds(server.pid) - cpu_before
            drained_at = None
            while time.perf_counter() - started < args.seconds + 300:
                if _pending(http) == 0:
                    drained_at = time.perf_counter() - started
                    break
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    latencies = out["latencies"]
    accepted = out["status"].get(202, 0)
    rate = accepted / out["wall"]
    p50, p95, p99 = (_percentile(latencies, q) for q in (0.50, 0.95, 0.99))
    print(f"docket run on SQLite, {args.concurrency} connections, event {args.single}:")
    codes = out["status"]
    print(f"  requests      {len(latencies):,} in {out['wall']:.2f} s; status codes {codes}")
    print(f"  ingest        {rate:,.0f} events/s accepted (target ≥ {TARGET_RATE:,.0f})")
    print(
        f"  latency       p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms (target p99 < 100 ms)"
    )
    print(f"  server CPU    {cpu_load:.1f} s during the load ({cpu_load / out['wall']:.2f} cores)")
    if drained_at is None:
        print("  processing    the inbox was not drained within the wait")
    else:
        print(
            f"  processing    all {accepted:,} processed {drained_at:.1f} s after the load "
            f"began ({accepted / drained_at:,.0f} events/s through the engine)"
        )
    met = rate >= TARGET_RATE and p99 < TARGET_P99 and accepted == len(latencies)
    print("  targets       " + ("met" if met else "MISSED"))
    return 0 if met else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=120.0, help="Upper bound of the load.")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument(
        "--event",
        action="append",
        help="Event name (repeatable; default: onAfterDeceased, then onDispute).",
    )
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="The server's JSON access log (on, as `docket run` defaults).",
    )
    args = parser.parse_args()
    statuses = []
    for event in args.event or ["onAfterDeceased", "onDispute"]:
        args.single = event
        statuses.append(run(args))
        print()
    sys.exit(statuses[0])


if __name__ == "__main__":
    main()
