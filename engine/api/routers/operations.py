"""``POST /operations/{name}``: every domain operation ("button") by its registry name.

One route per operation, each with its parameters as the request body (built from the
operation's signature when the app is created), so the OpenAPI document describes them all;
a name not in the registry answers 404 with the closest names. A refusal is 409 (404 when
the object named does not exist); parameters of the wrong shape, and values out of form (an
id, an amount, a time zone), are 422 naming the field. With an ``Idempotency-Key`` the first
answer is kept per token and replayed (``runtime.once``).
"""

from __future__ import annotations

import inspect
import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from engine.api.auth import guard
from engine.api.deps import state
from engine.api.idempotency import KEY_DOC, conflict
from engine.api.operation_models import params_model
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import OperationInfo, OperationResult, check_json, check_text
from engine.config.errors import did_you_mean
from engine.domain.operations import OPERATIONS
from engine.runtime import IdempotencyConflict, Once

log = logging.getLogger("docket.api")

# Exceptions an operation raises when its parameters have the wrong shape (a list where a
# text is expected, a date out of range…): the caller's fault, answered 422.
SHAPE_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


def build_router() -> APIRouter:
    """The operations routes for the registry as it is now."""
    router = APIRouter(tags=["operations"], responses=responses(*COMMON, 404, 409))
    models = {name: params_model(name, fn) for name, fn in sorted(OPERATIONS.items())}

    @router.get(
        "/operations",
        response_model=list[OperationInfo],
        summary="List the domain operations and their parameters",
        **guard("viewer"),
    )
    def list_operations() -> list[dict[str, Any]]:
        return [
            {"name": name, "path": f"/operations/{name}", "parameters": model.model_json_schema()}
            for name, model in models.items()
        ]

    for name, model in models.items():
        router.add_api_route(
            f"/operations/{name}",
            _endpoint(name, model),
            methods=["POST"],
            response_model=OperationResult,
            summary=name.replace("_", " ").capitalize(),
            description=model.__doc__ or "",
            operation_id=f"operation_{name}",
            **guard("integrator"),
        )

    @router.post(
        "/operations/{name}",
        response_model=OperationResult,
        summary="Any other name: 404 with the closest names",
        **guard("integrator"),
    )
    def unknown_operation(
        name: Annotated[str, Path(max_length=80)],
        body: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> dict[str, Any]:
        raise ProblemError(
            404,
            f"unknown operation '{name}'{did_you_mean(name, OPERATIONS)}; "
            "GET /operations lists them",
            kind="unknown-operation",
        )

    return router


def _endpoint(name: str, model: type[BaseModel]) -> Any:
    async def endpoint(
        request: Request, body: BaseModel, idempotency_key: str | None = None
    ) -> Any:
        values = body.model_dump(exclude_unset=True)
        try:
            check_json(values | (body.model_extra or {}))
            if idempotency_key is not None:
                check_text(idempotency_key)
        except ValueError as exc:
            raise ProblemError(
                422,
                str(exc),
                kind="validation",
                errors=[{"field": "body", "message": str(exc)}],
            ) from None
        st = state(request)
        if idempotency_key is not None:
            once = Once(request.state.identity.token_id, idempotency_key, jsonable_encoder)
            answer = await _run(st, name, values, once)
            content = {"operation": name, "result": answer.result}
            replayed = {"Idempotency-Replayed": "true"} if answer.replay else {}
            return JSONResponse(content, headers=replayed)
        return {"operation": name, "result": await _run(st, name, values, None)}

    endpoint.__name__ = f"operation_{name}"
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
            inspect.Parameter(
                "body", inspect.Parameter.KEYWORD_ONLY, annotation=model, default=Body()
            ),
            inspect.Parameter(
                "idempotency_key",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=str | None,
                default=Header(
                    None, alias="Idempotency-Key", min_length=1, max_length=200, description=KEY_DOC
                ),
            ),
        ]
    )
    return endpoint


async def _run(st: Any, name: str, params: dict[str, Any], once: Once | None) -> Any:
    try:
        try:
            return await anyio.to_thread.run_sync(st.operate, name, params, once)
        except IntegrityError:
            if once is None:
                raise
            # A twin with the same key committed first: this one rolled back; replay it.
            return await anyio.to_thread.run_sync(st.operate, name, params, once)
    except IdempotencyConflict as exc:
        raise conflict(exc) from None
    except SHAPE_ERRORS as exc:
        log.warning("operation %s refused its parameters: %r", name, exc, exc_info=True)
        raise ProblemError(
            422,
            f"the parameters do not fit operation '{name}': {exc}",
            kind="invalid-parameters",
        ) from None
