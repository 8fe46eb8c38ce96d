"""Serve the web app: FastAPI with the Gradio chat mounted at /, one Assistant per process."""

from __future__ import annotations

from assistant.config import Config


def serve(config: Config) -> None:
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    from assistant.assistant import Assistant

    bot = Assistant(config)

    def respond(message: str, history: list) -> str:
        answer = bot.ask(message)
        quotes = "\n".join(f"[{c.marker}] “{c.prose}”" for c in answer.citations)
        return f"{answer.text}\n\n{quotes}" if quotes else answer.text

    demo = gr.ChatInterface(respond, title="Agenda Assistant")
    api = FastAPI()
    app = gr.mount_gradio_app(api, demo, path="/")
    uvicorn.run(app, host=config.host, port=config.port)
