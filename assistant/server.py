"""Serve everything from one process: the HTTP API under /api, the staff view at /staff, the chat at /."""

from __future__ import annotations

import logging

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant import __doc__ as package_doc
from assistant.api import API_PREFIX, build_router, install
from assistant.api_docs import install_docs
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.feedback import FeedbackStore, configured_location
from assistant.limits import AnswerSlots
from assistant.served import ServedAnswers
from assistant.web import CSS, build_app, build_staff_app
from assistant.web.staff import STAFF_CSS

log = logging.getLogger(__name__)
STAFF_PATH = "/staff"


def create_app(config: Config | None = None, bot: Assistant | None = None) -> FastAPI:
    """The FastAPI app: /api (JSON; OpenAPI docs at /docs and /redoc, their assets served from this process, not a
    CDN), /staff (when staff credentials are set) and the chat at /."""
    config = config or Config()
    bot = bot or Assistant(config)
    slots = AnswerSlots(config.max_concurrent_answers, config.answer_wait_seconds)
    store = FeedbackStore(configured_location(config))
    served = ServedAnswers()
    app = FastAPI(
        docs_url=None,  # served by install_docs, from this process
        redoc_url=None,
        title="Agenda Assistant API",
        version="1",
        description=(
            f"{package_doc}\n\nPOST {API_PREFIX}/ask answers a question; every [n] in the answer text is the "
            "citation with that marker, an exact quote with its character offsets in the document. Every error is "
            "a problem (RFC 9457, application/problem+json): type, title, status, detail."
        ),
    )
    install(app, config)
    install_docs(app)
    app.include_router(build_router(bot, config, slots, store, served))
    if config.staff_user and config.staff_password:
        # "/staff" as the README writes it; without this the chat mounted at "/" would answer it with a 404
        app.add_api_route(STAFF_PATH, lambda: RedirectResponse(f"{STAFF_PATH}/"), include_in_schema=False)
        gr.mount_gradio_app(
            app,
            build_staff_app(config, store),
            path=STAFF_PATH,
            auth=(config.staff_user, config.staff_password),
            auth_message="Staff only: sign in with ASSISTANT_STAFF_USER / ASSISTANT_STAFF_PASSWORD.",
            css=CSS + STAFF_CSS,
            footer_links=[],
            run_history=False,
            ssr_mode=False,
        )
    gr.mount_gradio_app(
        app,
        build_app(bot, config, slots, store, served),
        path="/",
        css=CSS,
        footer_links=["api"],
        run_history=False,  # the page keeps no record of questions in the browser
        ssr_mode=False,
    )
    return app


def serve(config: Config, bot: Assistant | None = None) -> None:
    import torch
    import uvicorn

    bot = bot or Assistant(config)
    bot.follow_index(config.index_poll_seconds)  # a re-index made anywhere is served here within seconds
    app = create_app(config, bot)
    if config.serve_torch_threads:
        torch.set_num_threads(config.serve_torch_threads)
    staff = "on" if config.staff_user and config.staff_password else "off (set ASSISTANT_STAFF_USER/PASSWORD)"
    print(f"Agenda Assistant on http://{config.host}:{config.port}  (API docs: /docs and /redoc, staff view {staff})")
    # No access log: it would record visitors' IP addresses, and the page promises to keep nothing about them.
    # Open event streams (the chat's queue) must not hold Ctrl-C forever.
    uvicorn.run(
        app, host=config.host, port=config.port, access_log=False, log_level="info", timeout_graceful_shutdown=5
    )
