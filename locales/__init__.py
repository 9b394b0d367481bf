"""gettext catalogs for Czech (default), English and Ukrainian.

The ``.po`` files are the single source: they are compiled in memory when a
locale is first used, so no build step can leave a stale ``.mo`` behind.
``scripts/i18n.sh`` extracts, updates and checks the catalogs.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES: tuple[str, ...] = ("cs", "en", "uk")
DEFAULT_LOCALE = "cs"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of one supported locale (unknown locales fall back to the default)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    with po_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def supported(locale: str | None) -> str | None:
    """The supported locale for a channel's language code ("uk-UA" → "uk"), or None."""
    if not locale:
        return None
    base = locale.replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else None
