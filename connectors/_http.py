"""HTTP calls for connectors: one request, its failure classified as transient or permanent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from engine.outbox.api import PermanentError, TransientError

# Worth trying again: the other side is overloaded, down or asked us to slow down.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})

# A scheme, a host and no blanks: ``htp:/not a url`` is refused when the configuration loads.
URL_SCHEMA: dict[str, Any] = {
    "type": "string",
    "title": "an http(s) URL",
    "pattern": r"^https?://[^\s/?#]+(?:[/?#]\S*)?$",
}
TIMEOUT_SCHEMA: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "maximum": 300}


def plain_json(value: Any) -> Any:
    """JSON for what templates hand over: dates as ISO text, amounts as exact text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def host(url: str) -> str:
    """Where a request went, without path or query (which may carry a token)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # never the user info (user:password@)
    return f"{parts.scheme}://{netloc}" if netloc else "the server"


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def request(method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
    """Send one request; raise TransientError/PermanentError unless the answer is 2xx."""
    where = host(url)
    try:
        response = requests.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout as exc:
        raise TransientError(f"no answer from {where} within {timeout:g} s") from exc
    except requests.ConnectionError as exc:
        raise TransientError(f"cannot reach {where}: {type(exc).__name__}") from exc
    except requests.RequestException as exc:
        raise PermanentError(f"cannot send to {where}: {type(exc).__name__}: {exc}") from exc
    if 200 <= response.status_code < 300:
        return response
    text = " ".join(response.text.split())[:200]
    message = f"HTTP {response.status_code} from {where}" + (f": {text}" if text else "")
    if response.status_code in RETRYABLE or response.status_code >= 500:
        raise TransientError(message, retry_after=retry_after(response))
    raise PermanentError(message)
