"""Text that people type and others read: names normalised so that what is stored is what is seen.

A right-to-left override (U+202E) reorders what follows it on screen and on paper ("Иван \u202eвортеП\u202c Сидоров"
prints as "Иван Петров Сидоров"), zero-width characters make two names that look alike differ, and a name of only
invisible characters looks like no name at all. Every person's name goes through ``clean_person_name`` before it is
stored; file names are checked with ``hidden_characters`` and ``has_visible``."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

from certcenter.core.errors import UserError

# Explicit bidirectional formatting: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the marks
# (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Letters and symbols that are drawn as nothing (not of the "format" category, so named one by one): Hangul fillers,
# the braille blank, the combining grapheme joiner.
BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


class InvisibleText(UserError):
    """Text that has nothing visible left once normalised."""


def hidden_characters(text: str) -> set[str]:
    """The characters of ``text`` that change how the rest is shown or that show nothing: controls (other than
    ordinary whitespace), bidi controls, zero-width and other format characters."""
    return {
        ch
        for ch in text
        if ch in BIDI_CONTROLS
        or ch in BLANK_GLYPHS
        or unicodedata.category(ch) == "Cf"
        or (unicodedata.category(ch) == "Cc" and not ch.isspace())
    }


def has_visible(text: str) -> bool:
    """Whether anything in ``text`` is drawn: a letter, digit, punctuation mark or symbol that is not blank."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_GLYPHS for ch in text)


def normalize_name(text: str | None) -> str:
    """NFC, every hidden character removed, runs of whitespace (any Unicode space or line break) made one space."""
    composed = unicodedata.normalize("NFC", text or "")
    hidden = hidden_characters(composed)
    kept = "".join(ch for ch in composed if ch not in hidden)
    return unicodedata.normalize("NFC", " ".join(kept.split()))


def clean_person_name(text: str | None) -> str:
    """The name as it is stored and printed; InvisibleText if nothing visible is left."""
    name = normalize_name(text)
    if not has_visible(name):
        raise InvisibleText(_l("The name must contain visible letters."))
    return name
