"""The command menu, in every language the bot speaks."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from locales import DEFAULT_LOCALE, LOCALES

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or continue")),
    ("help", N_("What I can do")),
    ("language", N_("Change the language")),
    ("restart", N_("Start again")),
    ("mydata", N_("What I store about you")),
    ("delete", N_("Delete your data")),
    ("human", N_("Talk to a person")),
    ("book", N_("Book an appointment")),
)


def commands(locale: str) -> list[BotCommand]:
    t = Translator(locale)
    return [BotCommand(command=name, description=t.gettext(text)) for name, text in COMMANDS]


async def register_commands(bot: Bot) -> None:
    """setMyCommands for cs, en and uk, and the default locale for everyone else."""
    for locale in LOCALES:
        await bot.set_my_commands(commands(locale), language_code=locale)
    await bot.set_my_commands(commands(DEFAULT_LOCALE))
