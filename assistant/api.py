"""The HTTP API for integrators: ask, ask with server-sent events, health and feedback, on the Assistant facade.

Errors are JSON `{"detail": ...}`: 422 for input that cannot be answered as given, 413 for input over a limit
(request body, question tokens, history turns), 503 when every answer slot stays busy.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import QuestionError
from assistant.feedback import MAX_TEXT, FeedbackStore
from assistant.limits import AnswerSlots, Busy, LimitExceeded, check_limits
from assistant.models import Answer, Citation

API_PREFIX = "/api"
Turn = tuple[str, str]


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


class AnswerOut(BaseModel):
    """The fields of an answer a client needs to trust it: each [n] in `text` is the citation with marker n."""

    text: str
    refused: bool = Field(description="True when the statement does not answer the question")
    citations: list[Citation]
    question: str
    standalone_question: str


class FeedbackRequest(BaseModel):
    """A rating of an answer as /api/ask returned it."""

    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    reason: Literal["wrong", "not supported by the quote", "missing something", "other"] | None = None
    comment: str | None = Field(None, max_length=MAX_TEXT)
    question: str = Field(min_length=1, description="The question as asked")
    history: list[Turn] = Field(default_factory=list)
    answer: AnswerOut


class FeedbackSaved(BaseModel):
    id: int


class ErrorOut(BaseModel):
    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "The request body, question or history is over a limit"},
    422: {"description": "The question or history cannot be answered as given (empty, malformed, not text)"},
    503: {"model": ErrorOut, "description": "Every answer slot stayed busy; retry after a few seconds"},
}
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": 'Server-sent events: `delta` events ({"text": ...}) in order, then one `answer` event '
        '(the full answer with its citations), or one `error` event ({"detail": ...}).',
        "content": {
            "text/event-stream": {
                "example": 'event: delta\ndata: {"text": "Under "}\n\n'
                'event: answer\ndata: {"text": "...", "refused": false, "citations": [...]}\n\n'
            }
        },
    }
}


def feedback_config(config: Config) -> dict[str, Any]:
    """The settings stored with each feedback record (never the staff credentials)."""
    return config.model_dump(mode="json", exclude={"staff_user", "staff_password"})


def build_router(bot: Assistant, config: Config, slots: AnswerSlots, store: FeedbackStore) -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, tags=["assistant"], responses=_ERRORS)

    def answer_in_slot(request: AskRequest) -> Answer:
        check_limits(request.question, request.history, config)
        with slots.hold():
            return bot.ask(request.question, request.history)

    @router.post("/ask", response_model=Answer)
    def ask(request: AskRequest) -> Answer:
        """Answer one question from the statement, with exact quotes (document offsets) for every [n] marker."""
        return answer_in_slot(request)

    @router.post("/ask/stream", response_class=StreamingResponse, responses=_SSE_DOC)
    def ask_stream(request: AskRequest) -> StreamingResponse:
        """The answer as server-sent events: text deltas, then the whole answer with its citations."""
        check_limits(request.question, request.history, config)
        slots.acquire()
        pieces = bot.stream(request.question, request.history)
        try:
            first = next(pieces)  # QuestionError surfaces here, before the 200 is sent
        except BaseException:
            slots.release()
            raise
        return StreamingResponse(
            _events(first, pieces, slots),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.get("/health")
    def health() -> dict[str, Any]:
        """Whether the index is served, how much is indexed, and how many answers are running."""
        return {
            **bot.health(),
            "answers_running": slots.in_use,
            "max_concurrent_answers": slots.size,
        }

    @router.post("/feedback", response_model=FeedbackSaved, status_code=status.HTTP_201_CREATED)
    def feedback(request: FeedbackRequest) -> FeedbackSaved:
        """Store a thumbs up or down on an answer (with an optional reason and comment) for staff to review."""
        for citation in request.answer.citations:
            document = bot.documents.get(citation.source)
            if document is None or document.text[citation.start : citation.end] != citation.quote:
                raise QuestionError(f"citation [{citation.marker}] is not the text of {citation.source!r} there")
        answer = Answer(
            text=request.answer.text,
            refused=request.answer.refused,
            citations=request.answer.citations,
            question=request.question,
            standalone_question=request.answer.standalone_question,
        )
        saved = store.add(
            request.rating, answer, list(request.history), request.reason, request.comment, feedback_config(config)
        )
        return FeedbackSaved(id=saved)

    return router


async def _events(first: str | Answer, pieces: Iterator[str | Answer], slots: AnswerSlots) -> AsyncIterator[str]:
    """SSE lines; the answer slot is released when the stream ends, fails or the client goes away."""
    try:
        piece: str | Answer | None = first
        while piece is not None:
            if isinstance(piece, Answer):
                yield _event("answer", piece.model_dump(mode="json"))
            else:
                yield _event("delta", {"text": piece})
            piece = await run_in_threadpool(next, pieces, None)
    except Exception as error:  # the status line is already sent: report in the stream
        yield _event("error", {"detail": str(error) or type(error).__name__})
    finally:
        slots.release()


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def install(app: FastAPI, config: Config) -> None:
    """The API's body limit and the mapping of the assistant's errors to HTTP statuses with one-line messages."""
    app.add_middleware(JsonBodyCheck, limit=config.max_request_bytes, prefix=API_PREFIX)

    @app.exception_handler(LimitExceeded)
    async def _too_large(_: Request, error: LimitExceeded) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)

    @app.exception_handler(QuestionError)
    async def _bad_question(_: Request, error: QuestionError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(Busy)
    async def _busy(_: Request, error: Busy) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the input back; a bad body may be megabytes of bytes that are not UTF-8
        return JSONResponse(
            {"detail": [_brief(e) for e in error.errors()]}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )


def _brief(error: Any) -> dict[str, Any]:
    return {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": error.get("type", "")}


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
            await self._reject(scope, receive, send, 413, self._too_large())
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(scope, receive, send, 413, self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            detail = f"the request body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8"
            await self._reject(scope, receive, send, 400, detail)
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
    async def _reject(scope: Scope, receive: Receive, send: Send, status_code: int, detail: str) -> None:
        await JSONResponse({"detail": detail}, status_code=status_code)(scope, receive, send)
