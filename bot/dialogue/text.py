"""Reading what people type, the basics: clean text, comparable words, yes/no,
commands, phone numbers and names. Pure functions; a failure raises
:class:`InvalidAnswer` with a reason code that the renderer localizes.
"""

from __future__ import annotations

import re
import unicodedata


class InvalidAnswer(ValueError):
    """The text cannot be read as an answer to the current question."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class Unknown:
    """The person said they do not know."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_text(text: str) -> str:
    """Drop control and invisible characters, normalise Unicode and white space."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower case without diacritics, for comparing words typed on any keyboard."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Keep Cyrillic й/ї (they decompose too) recognisable: strip marks only.
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(word) for word in words)


def parse_phone(text: str) -> str:
    """A phone number: +420 777 123 456, 777123456, +380 …; returned as +digits or digits."""
    compact = re.sub(r"[\s\-./()]", "", clean_text(text))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?\d{9,15}", compact):
        raise InvalidAnswer("not_a_phone")
    if len(compact) == 9 and compact.isdigit():
        compact = "+420" + compact
    return compact


def parse_name(text: str) -> str:
    """What the person wants to be called: letters required, at most 80 characters."""
    name = clean_text(text)
    if not any(c.isalpha() for c in name):
        raise InvalidAnswer("not_a_name")
    if len(name) > 80:
        raise InvalidAnswer("name_too_long", maximum=80)
    return name


# Ukrainian and Russian typed in Latin letters too ("tak", "ni", "da", "net").
_YES = set(fold_words(("ano", "jo", "jj", "yes", "y", "yeah", "yep", "так", "да", "ага", "a")))
_YES |= {"tak", "da"}
_NO = set(fold_words(("ne", "nee", "no", "n", "nope", "ні", "нет", "не"))) | {"ni", "net"}


def parse_yes_no(text: str) -> bool | None:
    """True for a yes word, False for a no word, None otherwise."""
    folded = fold(clean_text(text)).strip(" .!")
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


_COMMAND_WORDS = {
    "back": ("zpet", "zpatky", "back", "назад", "previous"),
    "skip": ("preskocit", "preskoc", "skip", "пропустити", "пропустить"),
    "restart": ("znovu", "od zacatku", "restart", "start again", "спочатку", "заново"),
    "language": ("jazyk", "language", "мова", "язык"),
    "help": ("pomoc", "napoveda", "help", "допомога", "помощь"),
    "mydata": (
        "moje data",
        "my data",
    ),
    "delete": ("smazat", "delete", "видалити"),
}
_COMMANDS = {fold(word): command for command, words in _COMMAND_WORDS.items() for word in words}


def parse_command(text: str) -> tuple[str, str | None] | None:
    """A command typed as ``/name [argument]`` or as a plain word ("zpět", "skip", "назад")."""
    cleaned = clean_text(text)
    if cleaned.startswith("/"):
        name, _, argument = cleaned[1:].partition(" ")
        name = name.split("@")[0].casefold()  # Telegram appends @botname in groups
        return name, argument.strip() or None
    command = _COMMANDS.get(fold(cleaned).strip(" .!"))
    return (command, None) if command else None
