"""The README's connector example is a valid configuration that routes as it says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.config import load_ruleset
from engine.outbox import routing

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_example_loads_and_routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    found = re.search(r"```yaml\n(connectors:.*?)```", (REPO / "README.md").read_text(), re.S)
    assert found is not None
    for folder in ("rules", "action_paths"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "rules" / "connectors.yaml").write_text(found.group(1), encoding="utf-8")
    for name in ("SMTP_PASSWORD", "SMS_API_KEY", "GLOBEX_TWILIO_TOKEN"):
        monkeypatch.setenv(name, f"value-of-{name}")

    router = routing.router_for(load_ruleset(tmp_path))

    chosen = {
        (channel, client): getattr(router.route(channel, client), "id", None)
        for channel in ("email", "sms", "letter", "webhook")
        for client in ("ACME", "GLOBEX")
    }
    assert chosen == {
        ("email", "ACME"): "mail",
        ("email", "GLOBEX"): "mail",
        ("sms", "ACME"): "texts",
        ("sms", "GLOBEX"): "texts-globex",
        ("letter", "ACME"): "printer",
        ("letter", "GLOBEX"): "printer",
        ("webhook", "ACME"): None,
        ("webhook", "GLOBEX"): None,
    }
    assert router.redact("token value-of-GLOBEX_TWILIO_TOKEN") == "token ***"
