"""Subprocess for the crash test: seed events (``seed``) or process them (``work``)."""

from __future__ import annotations

import sys

from tests.runtime.helpers import make_engine, place


def main() -> None:
    mode, db_url = sys.argv[1], sys.argv[2]
    engine = make_engine(db_url)
    if mode == "seed":
        total, accounts = int(sys.argv[3]), int(sys.argv[4])
        for index in range(accounts):
            place(engine, f"A{index}", "100.00", party=f"P{index}")
        engine.process()
        for seq in range(total):
            engine.submit("onCeaseCommunication", account=f"A{seq % accounts}", data={"seq": seq})
    else:
        engine.process(batch_size=50)
    engine.close()


if __name__ == "__main__":
    main()
