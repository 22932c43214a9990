"""The interface language: Korean or English, through gettext catalogs (girok/locale/<lang>/LC_MESSAGES/girok.mo).

Source strings are English (the msgids); girok/locale/ko/LC_MESSAGES/girok.po holds the Korean. Mark text
with ``_("...")`` (``.format()`` after it, never an f-string inside), ``pgettext("column", "...")`` for
table and CSV column names, ``N_("...")`` for text translated later (class-level hints: ``translate()``
when shown). After editing the .po: ``python -m girok.locale.build`` (``--update`` adds new msgids).

The language is decided once per process, in this order (a block may speak another: :func:`speaking`, what the
web front end does for each request, in the language its user chose):

1. ``GIROK_LANG`` (``ko`` or ``en``);
2. the archive's ``girok.toml`` ``[interface] language``, once an archive is opened (:func:`use_archive_language`:
   messages from then on; help texts are built before any archive is known, so they follow 1 and 3);
3. the locale: ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first one set): ``ko*`` is Korean, anything else English.

The bottom layer: errors, config and every layer above use it.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

DOMAIN = "girok"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("ko", "en")
ENV = "GIROK_LANG"


def _normal(value: str) -> str | None:
    """"ko", "ko_KR.UTF-8", "KO" -> "ko"; "en", "C.UTF-8", "POSIX" -> "en"; "" -> None."""
    value = value.strip().lower()
    if not value:
        return None
    return "ko" if value.startswith("ko") else "en"


def language_from_environment(env: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: GIROK_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG)."""
    env = os.environ if env is None else env
    for var in (ENV, "LC_ALL", "LC_MESSAGES", "LANG"):
        lang = _normal(env.get(var, ""))
        if lang:
            return lang
    return "en"


_catalogs: dict[str, gettext.NullTranslations] = {}


def catalog(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang`` (English: the msgids themselves)."""
    if lang not in _catalogs:
        if lang == "en":
            _catalogs[lang] = gettext.NullTranslations()
        else:
            _catalogs[lang] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _catalogs[lang]


class _State:
    language = language_from_environment()
    translations = catalog(language)


_state = _State()

# (language, translations) of the block running now (:func:`speaking`), else None: the process's
_speaking: ContextVar[tuple[str, gettext.NullTranslations] | None] = ContextVar("girok_speaking", default=None)


def _translations() -> gettext.NullTranslations:
    here = _speaking.get()
    return here[1] if here is not None else _state.translations


def language() -> str:
    """The language messages are shown in now: "ko" or "en"."""
    here = _speaking.get()
    return here[0] if here is not None else _state.language


@contextmanager
def speaking(lang: str) -> Iterator[str]:
    """Messages of this block (this thread or task only) in ``lang``, whatever the process speaks: the web front
    end answers each request in its user's language (an unknown ``lang``: the process's)."""
    token = _speaking.set((lang, catalog(lang)) if lang in LANGUAGES else None)
    try:
        yield language()
    finally:
        _speaking.reset(token)


def set_language(lang: str) -> None:
    """Show messages in ``lang`` from now on (tests, and :func:`use_archive_language`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    _state.language, _state.translations = lang, catalog(lang)


def use_archive_language(lang: str | None) -> None:
    """An archive was opened whose girok.toml names ``lang``: speak it, unless GIROK_LANG decided already.

    Exported as GIROK_LANG, so that worker processes (spawned, reading only the environment) speak it too."""
    if not lang or _normal(os.environ.get(ENV, "")):
        return
    set_language(lang)
    os.environ[ENV] = lang


def _(message: str) -> str:
    """``message`` (an English literal) in the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context``: ``pgettext("column", "class")`` is a column heading (보존기간)."""
    return _translations().pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it now (see :func:`translate`)."""
    return message


def translate(message: str) -> str:
    """A marked message (``N_``) kept in a variable, translated now; text with no translation is left as it is."""
    return _translations().gettext(message) if message else message


def every_language(context: str, message: str) -> set[str]:
    """``message`` in every language girok speaks: what a file written in any of them may say
    (a CSV heading read back)."""
    return {catalog(lang).pgettext(context, message) for lang in LANGUAGES}
