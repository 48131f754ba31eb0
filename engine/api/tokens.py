"""Bearer tokens: create (the secret is shown once), list, revoke, verify.

A token reads ``dkt_<id>_<secret>``: the id finds the row, the secret is checked against
``HMAC-SHA256(salt, secret)`` stored with a per-token random salt. Secrets are 256 random
bits, so a fast keyed hash is enough (no password stretching: nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain import models as m

ROLES = ("viewer", "integrator", "admin")  # each role can do what the ones before it can
RANK = {role: rank for rank, role in enumerate(ROLES)}
PREFIX = "dkt_"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: the token's id, name and role."""

    token_id: str
    name: str
    role: str

    def allows(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def _digest(salt: str, secret: str) -> str:
    return hmac.new(salt.encode(), secret.encode(), hashlib.sha256).hexdigest()


def create_token(
    session: Session, role: str, name: str | None, now: datetime
) -> tuple[str, m.ApiToken]:
    """A new token: ``(the secret token text, its row)``; only the digest is stored."""
    if role not in RANK:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    row = m.ApiToken(
        id=token_id,
        name=(name or f"{role}-{token_id}")[:100],
        role=role,
        salt=salt,
        digest=_digest(salt, secret),
        created_at=now,
    )
    session.add(row)
    return f"{PREFIX}{token_id}_{secret}", row


def parse(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed token text, else None."""
    if not token.startswith(PREFIX):
        return None
    token_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not token_id or not secret or len(token_id) > 24 or len(secret) > 200:
        return None
    return token_id, secret


def verify(session: Session, token: str) -> Identity | None:
    """The identity of a valid, unrevoked token, else None (never says which part failed)."""
    parts = parse(token)
    if parts is None:
        return None
    token_id, secret = parts
    row = session.get(m.ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.digest, _digest(row.salt, secret)):
        return None
    return Identity(row.id, row.name, row.role)


def touch(session: Session, token_id: str, now: datetime) -> None:
    row = session.get(m.ApiToken, token_id)
    if row is not None:
        row.last_used_at = now


def list_tokens(session: Session, include_revoked: bool = False) -> list[dict[str, Any]]:
    """Every token's public facts (never a secret or digest), oldest first."""
    query = select(m.ApiToken).order_by(m.ApiToken.created_at, m.ApiToken.id)
    if not include_revoked:
        query = query.where(m.ApiToken.revoked_at.is_(None))
    return [describe(row) for row in session.scalars(query)]


def describe(row: m.ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


def revoke(session: Session, ref: str, now: datetime) -> m.ApiToken | None:
    """Revoke by id (or by the full token text, or by a unique name); None when unknown."""
    parts = parse(ref)
    row = session.get(m.ApiToken, parts[0] if parts else ref)
    if row is None:
        named = list(session.scalars(select(m.ApiToken).where(m.ApiToken.name == ref)))
        row = named[0] if len(named) == 1 else None
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
    return row
