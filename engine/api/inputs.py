"""Request fields that keep the domain's input rules (``engine.domain.ids``, ``parse_amount``):
ids, client codes, lists of ids, time zones and amounts. A value out of form is a 422 naming
its field, with the domain's own message; the OpenAPI document states each rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainValidator, WithJsonSchema

from engine.config.schemagen_defs import ID_PATTERN
from engine.domain import (
    CLIENT_CODE_MAX,
    ID_MAX,
    InvalidInput,
    check_client_code,
    check_id,
    check_zone,
    parse_amount,
)

__all__ = ["AMOUNT_PATTERN", "Amount", "ClientCode", "Ident", "Idents", "Zone"]


def _kept(rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A domain input rule as a pydantic validator: its refusal becomes the field's error."""

    def validate(value: Any) -> Any:
        try:
            return rule(value)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    return validate


def _id_schema(longest: int, what: str) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": longest,
        "pattern": ID_PATTERN,
        "description": (
            f"{what}: 1 to {longest} letters A-Z and a-z, digits, '-', '_' or '.', beginning "
            "with a letter or a digit."
        ),
    }


def _amount(value: Any) -> Decimal:
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValueError(
            f'must be an amount of money: {exc} (text like "1200.50" with at most two '
            "decimal places, or a whole number)"
        ) from None


AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"

Ident = Annotated[
    str,
    AfterValidator(_kept(lambda value: check_id(value, "id", "id"))),
    WithJsonSchema(_id_schema(ID_MAX, "An id")),
]
# One id or a list of them (``accounts``): read as a list, so a refusal names its position.
Idents = Annotated[
    list[Ident],
    BeforeValidator(lambda value: [value] if isinstance(value, str) else value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": _id_schema(ID_MAX, "An id")},
                _id_schema(ID_MAX, "An id"),
            ]
        }
    ),
]
ClientCode = Annotated[
    str,
    AfterValidator(_kept(check_client_code)),
    WithJsonSchema(_id_schema(CLIENT_CODE_MAX, "A client code")),
]
Zone = Annotated[
    str,
    AfterValidator(_kept(check_zone)),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "A time zone of the tz database.",
            "examples": ["America/Chicago", "UTC"],
        }
    ),
]
Amount = Annotated[
    Decimal,
    PlainValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": AMOUNT_PATTERN}, {"type": "integer"}],
            "description": (
                'An amount of money: text like "1200.50" (at most two decimal places) or a '
                "whole number; never a number with a fraction."
            ),
            "examples": ["1200.50"],
        }
    ),
]
