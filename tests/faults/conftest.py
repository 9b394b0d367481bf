"""The fault tests use the local Bot API server and the bot of the end-to-end tests."""

from tests.e2e.conftest import bot_api, polling_bot

__all__ = ["bot_api", "polling_bot"]
