"""One exception handler: fraudwall's errors become their HTTP status with a JSON body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from fraudwall.errors import FraudwallError, Unauthorized


def error_body(kind: str, detail: str, field: str | None = None) -> dict[str, object]:
    """The JSON every refusal carries: what kind of error, what is wrong, which field."""
    return {"error": kind, "detail": detail, "field": field}


async def fraudwall_error(_request: Request, exc: Exception) -> JSONResponse:
    """A :class:`FraudwallError` as its ``http_status``; 401 also says how to authenticate."""
    assert isinstance(exc, FraudwallError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse(
        error_body(type(exc).__name__, str(exc), getattr(exc, "field", None)),
        status_code=exc.http_status,
        headers=headers,
    )


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """A pydantic error raised inside a service (not by request parsing) is bad input: 422."""
    assert isinstance(exc, ValidationError)
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    return JSONResponse(error_body("InputError", err["msg"], field), status_code=422)


async def request_error(_request: Request, exc: Exception) -> JSONResponse:
    """A request that does not parse (bad JSON, a wrong or missing field): 422 naming the
    request field (``body.unit``, ``query.limit``...), with every problem under ``errors``."""
    assert isinstance(exc, RequestValidationError)
    errs = list(exc.errors())
    first = errs[0] if errs else {"loc": (), "msg": "invalid request"}
    field = ".".join(str(p) for p in first["loc"]) or None
    body = error_body("InputError", str(first["msg"]), field)
    body["errors"] = jsonable_encoder(
        [{"field": ".".join(map(str, e["loc"])), "detail": e["msg"]} for e in errs]
    )
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(FraudwallError, fraudwall_error)
    app.add_exception_handler(ValidationError, validation_error)
    app.add_exception_handler(RequestValidationError, request_error)
