"""The catalogs use the termbase's words (docs/termbase.md): one term for one concept in each language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TERMBASE = ROOT / "docs" / "termbase.md"
CATALOG = ROOT / "certcenter" / "translations" / "{language}" / "LC_MESSAGES" / "messages.po"


def _stems(cell: str) -> list[str]:
    return [stem.replace("\\|", "|") for stem in re.findall(r"`((?:[^`\\]|\\.)+)`", cell)]


def rules() -> list[dict]:
    rows = []
    for line in TERMBASE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| concept") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        concept, _en, _kk, _ru, pattern, kk_must, kk_never, ru_must, ru_never = cells
        rows.append(
            {
                "concept": concept,
                "pattern": re.compile(_stems(pattern)[0], re.IGNORECASE),
                "kk": (_stems(kk_must), _stems(kk_never)),
                "ru": (_stems(ru_must), _stems(ru_never)),
            }
        )
    return rows


def messages(language: str):
    with open(str(CATALOG).format(language=language), "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield " ".join(ids), " ".join(s for s in strings if s)


def test_the_termbase_is_read():
    concepts = {rule["concept"] for rule in rules()}
    assert {"application", "assessor", "unit", "revoked", "withdrawn", "suspended", "evidence"} <= concepts


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_catalog_uses_the_termbase_words(language):
    wrong = []
    for msgid, msgstr in messages(language):
        text = msgstr.lower()
        for rule in rules():
            if not rule["pattern"].search(msgid):
                continue
            must, never = rule[language]
            for stem in never:
                if stem.lower() in text:
                    wrong.append(f"{rule['concept']}: {msgid!r} -> {msgstr!r} has {stem!r}")
            if must and not any(stem.lower() in text for stem in must):
                wrong.append(f"{rule['concept']}: {msgid!r} -> {msgstr!r} lacks {' or '.join(must)!r}")
    assert not wrong, "\n".join(wrong)


def test_withdrawn_and_revoked_read_differently():
    kk = dict(messages("kk"))
    ru = dict(messages("ru"))
    for catalog in (kk, ru):
        assert catalog["Withdrawn"] != catalog["Revoked"]
        assert catalog["Withdraw"] != catalog["Revoke"]
