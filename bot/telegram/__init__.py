"""The Telegram channel: aiogram routers, rendering, outbox delivery, webhook."""
