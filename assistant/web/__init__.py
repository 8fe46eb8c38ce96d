"""The Gradio web app: the public chat with its document view (app, chat, document) and the staff view (staff)."""

from assistant.web.app import CSS, build_app
from assistant.web.staff import build_staff_app

__all__ = ["CSS", "build_app", "build_staff_app"]
