"""Benchmark: the console's pages, server time per page, on the demo's judgment story.

    python bench/bench_console.py            # 20 requests per page

Each page is requested through the app in this process (Starlette's TestClient: no network,
so the time is the server's: routing, the reads, the template) after one warm-up request;
the median and the slowest are printed beside the JSON API's ``GET /accounts/A1`` for the
same account, measured the same way (the baseline). The target is under 300 ms per page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' demo story

from engine.api import ApiSettings, create_app
from engine.api.tokens import create_token
from tests.console.conftest import _story

PAGES = (
    "/console",
    "/console/accounts/A1",
    "/console/worklists?worklist=NEW-BUSINESS",
    "/console/tasks",
    "/console/rules",
    "/console/outbox",
    "/console/failed",
    "/console/versions",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        engine = _story(Path(tmp))
        with engine.unit("bench") as unit:
            token, _ = create_token(unit.session, "admin", "bench", unit.now)
        app = create_app(engine, ApiSettings(access_log=False))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.post("/console/login", data={"token": token, "next": "/console"})
            api = {"Authorization": f"Bearer {token}"}

            def timings(path: str, headers: dict[str, str] | None = None) -> list[float]:
                client.get(path, headers=headers)  # warm-up
                found = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    answer = client.get(path, headers=headers)
                    found.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                return found

            base = statistics.median(timings("/accounts/A1", api))
            print(f"{args.requests} requests per page after a warm-up; milliseconds")
            print(f"{'page':44} {'median':>8} {'slowest':>8} {'× JSON API':>11}")
            print(f"{'GET /accounts/A1 (JSON API, baseline)':44} {base:>8.1f}")
            for path in PAGES:
                found = timings(path)
                median = statistics.median(found)
                print(f"{path:44} {median:>8.1f} {max(found):>8.1f} {median / base:>10.1f}×")
        engine.close()


if __name__ == "__main__":
    main()
