"""The HTTP API for integrators: ask, ask with server-sent events, health and feedback, on the Assistant facade.

Every error is a problem (RFC 9457, `application/problem+json`, see assistant/problems.py): 400 for a body that is not
UTF-8, 404 for feedback on an answer this server did not give, 413 for input over a limit (request body, question
tokens, history turns), 422 for input that cannot be answered as given, 503 when every answer slot stays busy.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import suppress
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.feedback import MAX_TEXT, FeedbackStore
from assistant.limits import AnswerSlots, check_limits
from assistant.models import Answer, Quotes, Translations
from assistant.problems import (
    BODY_NOT_UTF8,
    BUSY,
    FEEDBACK_UNAVAILABLE,
    INVALID_REQUEST,
    OVER_LIMIT,
    QUESTION_REJECTED,
    UNKNOWN_ANSWER,
    ProblemKind,
    UnknownAnswer,
    document_problems,
    error_problem,
    install_problem_handlers,
    problem,
    problem_responses,
)
from assistant.served import ServedAnswers

log = logging.getLogger(__name__)
API_PREFIX = "/api"
Turn = tuple[str, str]
SSE_PING_SECONDS = 15  # a comment line keeps proxies from closing a stream while a model thinks
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class AskRequest(BaseModel):
    """A question, with the earlier turns of the conversation when it is a follow-up."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "Which agencies does the statement mention?", "history": []},
                {
                    "question": "What about returns?",
                    "history": [["Where was the summit held?", "At the European Political Community Summit ... [1]."]],
                },
            ]
        },
    )

    question: str = Field(description="The question, in plain text (limit: max_question_tokens, in tokens).")
    history: list[Turn] = Field(
        default_factory=list,
        description="Earlier turns as [question, answer] pairs, oldest first (limit: max_history_turns).",
    )


class ServedAnswerOut(Answer):
    """The Answer, with the id that names it in POST /api/feedback."""

    answer_id: str = Field(description="Names this answer in POST /api/feedback (kept for a day, or less when busy)")


class FeedbackRequest(BaseModel):
    """A rating of an answer this server gave, named by its answer_id."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answer_id": "5f0c…", "rating": "down", "reason": "missing something", "comment": "It skips the UK."}
            ]
        },
    )

    answer_id: str = Field(min_length=1, max_length=64, description="The answer_id of an answer from /api/ask")
    rating: Literal["up", "down"]
    reason: Literal["wrong", "not supported by the quote", "missing something", "other"] | None = None
    comment: str | None = Field(None, max_length=MAX_TEXT)


class FeedbackSaved(BaseModel):
    id: int


_ANSWERING = problem_responses(BODY_NOT_UTF8, OVER_LIMIT, INVALID_REQUEST, QUESTION_REJECTED, BUSY)
_RATING = problem_responses(BODY_NOT_UTF8, UNKNOWN_ANSWER, OVER_LIMIT, INVALID_REQUEST, FEEDBACK_UNAVAILABLE)
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events: first one `quotes` event (the extractive stage's verified quotes, as "
        'Quotes: {"citations": [...], "refused": ..., "elapsed_ms": ...}, sent before any model writes), then '
        '`delta` events ({"text": ...}) in order, then, when a model answerer answered a question not in English, '
        "one `translations` event (Translations: machine translations of the quotes into the question's language, "
        "unreviewed and never the document's words, each naming its English quote by source, start and end: "
        '{"language": ..., "translations": [{"source": ..., "start": ..., "end": ..., "language": ..., "text": ..., '
        '"translated_by": ...}], "elapsed_ms": ...}; a quote whose translation failed the check has none), then one '
        "`answer` event (the full answer with its citations, its `translations` and answer_id; `answered_by` says "
        "whether the model's text or the extractive answer won), or one `error` event (a problem, as RFC 9457).",
        "content": {
            "text/event-stream": {
                "example": 'event: quotes\ndata: {"citations": [{"marker": 1, "quote": "...", "source": "...", '
                '"start": 120, "end": 180, ...}], "refused": false, "elapsed_ms": 41.2}\n\n'
                'event: delta\ndata: {"text": "Under "}\n\n'
                'event: translations\ndata: {"language": "de", "translations": [{"source": "...", "start": 120, '
                '"end": 180, "language": "de", "text": "...", "translated_by": "local:1.5b"}], "elapsed_ms": 2310}\n\n'
                'event: answer\ndata: {"text": "...", "refused": false, "citations": [...], "answer_id": "..."}\n\n'
            }
        },
    },
    **_ANSWERING,
}


def feedback_config(config: Config) -> dict[str, Any]:
    """The settings stored with each feedback record (never the staff credentials)."""
    return config.model_dump(mode="json", exclude={"staff_user", "staff_password"})


def build_router(
    bot: Assistant, config: Config, slots: AnswerSlots, store: FeedbackStore, served: ServedAnswers
) -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, tags=["assistant"])

    def answer_in_slot(request: AskRequest) -> Answer:
        check_limits(request.question, request.history, config)
        with slots.hold():
            return bot.ask(request.question, request.history)

    @router.post("/ask", response_model=ServedAnswerOut, responses=_ANSWERING)
    def ask(request: AskRequest) -> ServedAnswerOut:
        """Answer one question from the statement, with exact quotes (document offsets) for every [n] marker, and
        (a model answerer, a question not in English) their machine translations in `translations`."""
        return serve(answer_in_slot(request), request.history, served)

    @router.post("/ask/stream", response_class=EventSourceResponse, responses=_SSE_DOC)
    def ask_stream(request: AskRequest) -> EventSourceResponse:
        """The answer as server-sent events: the verified quotes first, then text deltas, then the quotes' machine
        translations (a model answerer, a question not in English), then the whole answer with its citations."""
        check_limits(request.question, request.history, config)
        slots.acquire()
        pieces = bot.stream(request.question, request.history)
        try:
            first = next(pieces)  # QuestionError surfaces here, before the 200 is sent
        except BaseException:
            slots.release()
            raise
        events = _events(first, pieces, slots, lambda answer: serve(answer, request.history, served))
        return EventSourceResponse(events, sep="\n", ping=SSE_PING_SECONDS)

    @router.get("/health")
    def health() -> dict[str, Any]:
        """Whether the index is served, how much is indexed, the models in use, and how many answers are running."""
        return {
            **bot.health(),
            "answers_running": slots.in_use,
            "max_concurrent_answers": slots.size,
        }

    @router.post("/feedback", response_model=FeedbackSaved, status_code=status.HTTP_201_CREATED, responses=_RATING)
    def feedback(request: FeedbackRequest) -> FeedbackSaved:
        """Store a thumbs up or down on an answer this server gave (named by its answer_id), for staff to review.

        The record holds the server's own question, history and answer for that id, never text sent with the rating.
        """
        given = served.get(request.answer_id)
        if given is None:
            hours = served.ttl_seconds / 3600
            raise UnknownAnswer(
                f"no answer with id {request.answer_id!r}: this server did not give it, or no longer keeps it "
                f"(answers are kept up to {hours:g} h); ask again and rate the new answer"
            )
        saved = store.add(
            request.rating, given.answer, given.history, request.reason, request.comment, feedback_config(config)
        )
        return FeedbackSaved(id=saved)

    @router.api_route("/{path:path}", methods=_METHODS, include_in_schema=False)
    def not_an_endpoint(request: Request) -> None:
        """Everything else under /api: a problem (not the chat page, which is mounted at /)."""
        allowed = sorted(
            method
            for route in router.routes
            if isinstance(route, APIRoute)
            and route.endpoint is not not_an_endpoint
            and route.path_regex.match(request.url.path)
            for method in route.methods or ()
        )
        if allowed:
            raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": ", ".join(allowed)})
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{request.url.path} is not an endpoint of this API; see /docs")

    return router


def serve(answer: Answer, history: list[Turn], served: ServedAnswers) -> ServedAnswerOut:
    """The answer as the API gives it: kept under a new answer_id, which the response carries."""
    answer_id = served.remember(answer, list(history))
    return ServedAnswerOut(**dict(answer), answer_id=answer_id)


async def _events(
    first: Quotes | str | Translations | Answer,
    pieces: Iterator[Quotes | str | Translations | Answer],
    slots: AnswerSlots,
    finish: Callable[[Answer], ServedAnswerOut],
) -> AsyncIterator[dict[str, str]]:
    """SSE events; the answer slot is released when the stream ends, fails or the client goes away."""
    try:
        piece: Quotes | str | Translations | Answer | None = first
        while piece is not None:
            if isinstance(piece, Answer):
                yield _event("answer", finish(piece).model_dump(mode="json"))
            elif isinstance(piece, Quotes):
                yield _event("quotes", piece.model_dump(mode="json"))
            elif isinstance(piece, Translations):
                yield _event("translations", piece.model_dump(mode="json"))
            else:
                yield _event("delta", {"text": piece})
            # not abandoned on cancel: a client that goes away waits here for the piece being computed
            piece = await run_in_threadpool(next, pieces, None)
    except Exception as error:  # the status line is already sent: report the problem in the stream
        log.exception("streaming an answer failed")
        yield _event("error", error_problem(error).model_dump(mode="json", exclude_none=True))
    finally:
        if isinstance(pieces, Generator):
            with suppress(ValueError):  # cancelled while a worker thread still runs it: it ends by itself
                pieces.close()
        slots.release()


def _event(name: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


def install(app: FastAPI, config: Config) -> None:
    """The API's body limit, and every error as a problem (RFC 9457), in responses and in the OpenAPI document."""
    app.add_middleware(JsonBodyCheck, limit=config.max_request_bytes, prefix=API_PREFIX)
    install_problem_handlers(app)
    document_problems(app)


class JsonBodyCheck:
    """ASGI middleware for the API: a 413 for a body over `limit` bytes and a 400 for one that is not UTF-8, as JSON.

    It reads the (small) body before routing, so FastAPI never parses an oversized or undecodable body.
    """

    def __init__(self, app: ASGIApp, limit: int, prefix: str) -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await self._reject(scope, receive, send, OVER_LIMIT, self._too_large())
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(scope, receive, send, OVER_LIMIT, self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            detail = f"the request body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8"
            await self._reject(scope, receive, send, BODY_NOT_UTF8, detail)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # later calls wait for the disconnect, as Starlette expects
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request body is over the limit of {self.limit} bytes"

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, kind: ProblemKind, detail: str) -> None:
        await problem(kind, detail)(scope, receive, send)
