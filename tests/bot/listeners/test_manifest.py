"""manifest.yaml asks for exactly what the code uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.listeners.command import COMMAND
from bot.listeners.shortcut import CALLBACK_ID

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[3] / "manifest.yaml").read_text())


def test_command_and_shortcut_match_the_code() -> None:
    features = MANIFEST["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert [s["callback_id"] for s in features["shortcuts"]] == [CALLBACK_ID]
    assert features["app_home"]["home_tab_enabled"] is True


def test_events_and_scopes_are_the_ones_used() -> None:
    settings = MANIFEST["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "app_home_opened",
        "message.channels",
        "message.groups",
        "message.im",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "im:history",
        "chat:write",
        "commands",
        "im:write",
        "mpim:write",
        "users:read",
        "channels:read",
        "groups:read",
    }
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert all(url.endswith("/slack/events") for url in urls)
