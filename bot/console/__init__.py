"""A terminal channel: walk through the intake without Telegram or a browser."""
