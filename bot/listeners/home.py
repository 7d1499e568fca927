"""App Home: a composition of sections (``bot.home.HOME_SECTIONS``), published on open."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.home import home_view
from bot.services import Services
from bot.slack.gateway import SlackCallFailed


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        user = str(event["user"])
        try:
            services.slack.publish_home(user=user, view=home_view(services, user_id=user))
        except SlackCallFailed:
            return  # logged by the gateway; the next open tries again
