"""The check-in UI fixtures (``tests/bot/followup/conftest.py``): the app with a controllable clock."""

from tests.bot.followup.conftest import clock, ui, ui_db  # noqa: F401
