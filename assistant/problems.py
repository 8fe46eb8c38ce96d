"""Every HTTP error of the API as RFC 9457 problem details (`application/problem+json`), and in its OpenAPI document.

A problem is `{"type", "title", "status", "detail"}`; a request that does not match the schema adds `errors` (where and
why). The `type` names the kind of problem (a URN, stable for clients to branch on); `about:blank` for plain HTTP
errors (unknown path, wrong method), whose title is the status's name.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from assistant.errors import FeedbackUnavailable, QuestionError
from assistant.limits import Busy, LimitExceeded

MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5


class ProblemKind:
    """The problems the API reports: type URN and title. The detail says what was wrong in this request."""

    def __init__(self, name: str, status: int, title: str) -> None:
        self.type = f"urn:agenda-assistant:problem:{name}"
        self.status = status
        self.title = title


BODY_NOT_UTF8 = ProblemKind("body-not-utf8", 400, "The request body is not UTF-8")
UNKNOWN_ANSWER = ProblemKind("unknown-answer", 404, "No such answer")
OVER_LIMIT = ProblemKind("over-limit", 413, "Over a size limit")
INVALID_REQUEST = ProblemKind("invalid-request", 422, "The request does not match the schema")
QUESTION_REJECTED = ProblemKind("question-rejected", 422, "The question cannot be answered as given")
BUSY = ProblemKind("busy", 503, "Every answer slot is busy")
FEEDBACK_UNAVAILABLE = ProblemKind("feedback-unavailable", 503, "The feedback could not be saved")
INTERNAL = ProblemKind("internal", 500, "Something went wrong on our side")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where in the request, e.g. ['body', 'history', 0]")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", description="The kind of problem (a URN of this API, or about:blank)")
    title: str = Field(description="The kind of problem, for people")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What was wrong with this request, in one line")
    errors: list[FieldError] | None = Field(None, description="Only for invalid-request: each field that failed")


class UnknownAnswer(LookupError):
    """Feedback named an answer_id this server did not give, or no longer keeps."""


def problem(kind: ProblemKind, detail: str, headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    body = Problem(type=kind.type, title=kind.title, status=kind.status, detail=detail, **extensions)
    return problem_response(body, headers)


def problem_response(body: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=body.status, headers=headers, media_type=MEDIA_TYPE
    )


def http_problem(status: int, detail: str | None = None) -> Problem:
    """A plain HTTP error (unknown path, wrong method) as a problem of type about:blank."""
    phrase = HTTPStatus(status).phrase
    return Problem(title=phrase, status=status, detail=detail or phrase)


def error_problem(error: Exception) -> Problem:
    """The problem for an error raised while answering (used where no exception handler runs: inside a stream)."""
    if isinstance(error, QuestionError):
        kind = OVER_LIMIT if isinstance(error, LimitExceeded) else QUESTION_REJECTED
        return Problem(type=kind.type, title=kind.title, status=kind.status, detail=str(error))
    if isinstance(error, Busy):
        return Problem(type=BUSY.type, title=BUSY.title, status=BUSY.status, detail=str(error))
    return Problem(type=INTERNAL.type, title=INTERNAL.title, status=500, detail=_INTERNAL_DETAIL)


_INTERNAL_DETAIL = "the server failed while answering; try again, and tell the operators if it keeps failing"


def install_problem_handlers(app: FastAPI) -> None:
    """Map the assistant's errors, FastAPI's validation errors and HTTP errors to problem responses."""

    @app.exception_handler(LimitExceeded)
    async def _too_large(_: Request, error: LimitExceeded) -> JSONResponse:
        return problem(OVER_LIMIT, str(error))

    @app.exception_handler(QuestionError)
    async def _bad_question(_: Request, error: QuestionError) -> JSONResponse:
        return problem(QUESTION_REJECTED, str(error))

    @app.exception_handler(Busy)
    async def _busy(_: Request, error: Busy) -> JSONResponse:
        return problem(BUSY, str(error), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(FeedbackUnavailable)
    async def _feedback_unavailable(_: Request, error: FeedbackUnavailable) -> JSONResponse:
        return problem(FEEDBACK_UNAVAILABLE, str(error), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(UnknownAnswer)
    async def _unknown_answer(_: Request, error: UnknownAnswer) -> JSONResponse:
        return problem(UNKNOWN_ANSWER, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the input back; a bad body may be megabytes of bytes that are not UTF-8
        errors = [_field_error(e) for e in error.errors()]
        first = errors[0] if errors else None
        detail = f"{'.'.join(str(part) for part in first.loc)}: {first.msg}" if first else "the request is invalid"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return problem(INVALID_REQUEST, detail + more, errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        return problem_response(http_problem(error.status_code, detail), dict(error.headers or {}))

    @app.exception_handler(Exception)
    async def _internal(_: Request, error: Exception) -> JSONResponse:  # Starlette re-raises it after: logged there
        return problem(INTERNAL, _INTERNAL_DETAIL)


def _field_error(error: Any) -> FieldError:
    loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
    return FieldError(loc=loc, msg=str(error.get("msg", "")), type=str(error.get("type", "")))


def problem_responses(*kinds: ProblemKind) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each problem it can return (several kinds may share a status)."""
    by_status: dict[int, list[ProblemKind]] = {}
    for kind in kinds:
        by_status.setdefault(kind.status, []).append(kind)
    return {
        status: {
            "model": Problem,
            "description": "; ".join(f"{kind.title} (`{kind.type}`)" for kind in same),
        }
        for status, same in sorted(by_status.items())
    }


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say `application/problem+json` for every error response (FastAPI says JSON)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    if code[0] in "45" and response.get("content"):
                        media = next(iter(response["content"].values()))
                        response["content"] = {MEDIA_TYPE: media}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
