"""Locale selection and helpers for text stored in several languages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's saved language, else the one chosen in this session, else Kazakh (the state language)."""
    if has_request_context():
        if current_user.is_authenticated and current_user.locale in supported_locales():
            return current_user.locale
        if session.get("locale") in supported_locales():
            return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def centre_today() -> date:
    """Today in the centre's time zone (the server's clock may be on UTC, five hours behind Almaty)."""
    return datetime.now(ZoneInfo(select_timezone())).date()


def centre_day(moment: datetime) -> date:
    """The day of the centre's calendar a moment (kept in UTC) falls on: 20:00 UTC is already tomorrow in Almaty."""
    return moment.astimezone(ZoneInfo(select_timezone())).date()


def centre_midnight(day: date) -> datetime:
    """The moment a day of the centre's calendar begins (periods are whole days in the centre's time zone)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(select_timezone()))


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(text: Mapping[str, str] | str | None, language: str | None = None) -> str:
    """Pick the text of a {"kk": .., "ru": .., "en": ..} mapping in the current language, falling back to Kazakh."""
    if text is None:
        return ""
    if not isinstance(text, Mapping):
        return str(text)  # a plain or lazily translated string
    language = language or current_language()
    return text.get(language) or text.get("kk") or next(iter(text.values()), "")
