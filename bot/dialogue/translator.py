"""Translation and formatting in one person's language."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from locales import translations


@dataclass(frozen=True, slots=True)
class Translator:
    locale: str

    def gettext(self, message: str, **params: object) -> str:
        text = translations(self.locale).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **params}

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def amount(self, value: int) -> str:
        return self.gettext("%(amount)s CZK", amount=self.number(value))
