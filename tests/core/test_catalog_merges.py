"""A text merge of two branches that translated the same new message differently leaves no conflict marker in a
.po file: it joins both translations into one msgstr ("... удовлетворённой Заявка направляется ..."). Such an entry
starts again part-way through with nearly the same words; a real translation that repeats its first words goes on
differently ("Файл атауы ... . Файл атауы ... ")."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parents[2] / "certcenter" / "translations"
HEAD = 10  # characters of a translation's start looked for again further on


def doubled(translation: str) -> bool:
    again = translation.find(translation[:HEAD], HEAD)
    if len(translation) < 3 * HEAD or again < 0:
        return False
    first, second = translation[:again], translation[again:]
    return SequenceMatcher(None, first, second).ratio() > 0.75


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_no_translation_holds_two_translations(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    strings = [(message.id, message.string) for message in catalog if message.id]
    translations = [
        (msgid, text) for msgid, texts in strings for text in ([texts] if isinstance(texts, str) else texts)
    ]
    assert [msgid for msgid, text in translations if doubled(text)] == []


def test_the_check_finds_a_joined_translation():
    assert doubled(
        "Предыдущий тур: сохранён в том виде, в каком по нему принято решение, "
        "Предыдущий этап: сохранён в том виде, в каком по нему принято решение, только для чтения."
    )
    assert not doubled(
        "Файл атауы .%(last)s деп аяқталады, бірақ мазмұны бойынша бұл %(kind)s. "
        "Файл атауы .%(expected)s деп аяқталатындай етіп атын өзгертіңіз."
    )
