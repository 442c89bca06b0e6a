"""The bundled 2013 edition file: complete, clean and evaluable."""

import re

import pytest

from certcenter.framework import rules
from certcenter.framework.services import bundled_edition_files, read_edition_file
from certcenter.framework.vocabulary import DESCRIPTOR_KINDS

LANGS = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def edition():
    files = [path for path in bundled_edition_files() if path.name == "kz-nqf-2013.yaml"]
    assert files, "the 2013 edition must ship with the package"
    return read_edition_file(files[0])


def kk_strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "kk" and isinstance(value, str):
                yield value
            else:
                yield from kk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from kk_strings(item)


def test_edition_metadata(edition):
    meta = edition["edition"]
    assert meta["code"] == "kz-nqf-2013"
    assert meta["registration"]["number"] == "9141"
    assert [order["number"] for order in meta["approved_by"]] == ["665-ө-м", "6"]
    assert [order["number"] for order in meta["amends"]["orders"]] == ["444", "373-ө-м"]
    assert [order["number"] for order in meta["repealed_by"]["orders"]] == ["851", "656"]
    assert meta["in_force_from"] < meta["in_force_to"]
    assert meta["corresponds_to"] == "EQF"


def test_eight_levels_with_three_descriptors_in_three_languages(edition):
    levels = edition["levels"]
    assert [level["number"] for level in levels] == list(range(1, 9))
    for level in levels:
        assert level["eqf_level"] == level["number"]
        assert set(level["descriptors"]) == set(DESCRIPTOR_KINDS)
        for kind in DESCRIPTOR_KINDS:
            for lang in LANGS:
                assert len(level["descriptors"][kind][lang].strip()) > 20, (level["number"], kind, lang)


def test_every_level_has_evaluable_pathways(edition):
    for level in edition["levels"]:
        assert level["pathways"], level["number"]
        for lang in LANGS:
            assert level["pathways_text"][lang].strip()
        for pathway in level["pathways"]:
            rules.validate(pathway["rule"])
            for lang in LANGS:  # the note on how the centre reads the wording, in every language
                assert len(pathway["interpretation"][lang].strip()) > 40, (pathway["code"], lang)
            assert pathway["code"].startswith(f"{level['number']}.")


def test_fourteen_terms(edition):
    terms = edition["terms"]
    assert [term["number"] for term in terms] == list(range(1, 15))
    for term in terms:
        for lang in LANGS:
            assert term["term"][lang].strip() and term["definition"][lang].strip()
    assert terms[0]["term"]["kk"] == "біліктілік"


def test_kazakh_text_is_clean_of_pdf_artefacts(edition):
    for text in kk_strings(edition):
        assert not re.search(r"(?:\b\w ){3,}\w\b", text), text  # letter-spaced words
        assert "  " not in text, text
        assert not re.search(r"\s,", text), text  # a comma wrapped onto the next line
        assert not re.search(r"[a-z]", text.replace("PhD", "")), text  # Latin look-alikes of Kazakh letters


def test_level_five_row_is_reassembled(edition):
    skills = edition["levels"][4]["descriptors"]["skills"]["kk"]
    assert skills.startswith("Жағдайды дербес талдайды, шешімдер қабылдайды және олардың іске асырылуына")
    assert "Жағдайды дербес" not in edition["levels"][3]["descriptors"]["knowledge"]["kk"]


def test_level_four_states_three_years_of_experience(edition):
    """Level 4's first pathway states a duration: three years of practical experience."""
    first = edition["levels"][3]["pathways"][0]["rule"]
    assert {"experience_years": 3} in first["all"]
