"""API bearer tokens: only a salted digest of each secret is stored, never the secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain.models.base import Base


class ApiToken(Base):
    """One token: its public id (the lookup key inside the token), role and digest."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # admin, integrator, viewer
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256(salt, secret), hex
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class IdempotencyKey(Base):
    """The first answer to an operation sent with an ``Idempotency-Key``, per token.

    A repeat with the same token and key replays ``result``; a different request
    (``fingerprint``) with the key is refused. Kept as long as the store (no purge).
    """

    __tablename__ = "idempotency_keys"

    token_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    route: Mapped[str] = mapped_column(String(120))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of route and body
    result: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
