"""Loading editions: idempotent, versioned, refused when changed without --update, audited."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certcenter.core.models import AuditEntry
from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition, FrameworkLevel, GlossaryTerm, LevelDescriptor, Pathway
from certcenter.framework.services import (
    EditionFileError,
    bundled_edition_files,
    current_edition,
    load_edition,
    read_edition_file,
)

MADE_UP = Path(__file__).parent / "data" / "made-up-2030.yaml"
NQF_2013 = next(path for path in bundled_edition_files() if path.name == "kz-nqf-2013.yaml")


def snapshot():
    tables = (FrameworkEdition, FrameworkLevel, LevelDescriptor, Pathway, GlossaryTerm)
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in tables}
    ids = db.session.scalars(select(Pathway.id).order_by(Pathway.id)).all()
    texts = db.session.scalars(select(LevelDescriptor.text).order_by(LevelDescriptor.id)).all()
    return counts, ids, texts


def test_load_creates_the_whole_edition(app_ctx):
    result = load_edition(read_edition_file(NQF_2013))
    db.session.commit()
    assert result.status == "created"
    counts, _ids, _texts = snapshot()
    assert counts == {
        "framework_editions": 1,
        "framework_levels": 8,
        "level_descriptors": 24,
        "pathways": counts["pathways"],
        "glossary_terms": 14,
    }
    assert counts["pathways"] >= 8
    edition = result.edition
    assert edition.registration_number == "9141"
    assert edition.level(5).eqf_level == 5
    assert edition.legal_basis["repealed_by"]["orders"][0]["number"] == "851"


def test_loading_twice_changes_nothing(app_ctx):
    load_edition(read_edition_file(NQF_2013))
    db.session.commit()
    before = snapshot()
    again = load_edition(read_edition_file(NQF_2013))
    db.session.commit()
    assert again.status == "unchanged"
    assert snapshot() == before
    loads = db.session.scalar(select(func.count()).where(AuditEntry.action == "framework.load"))
    assert loads == 1  # an unchanged load is not a state change


def test_changed_content_is_refused_without_update_and_keeps_ids_with_it(app_ctx):
    data = read_edition_file(NQF_2013)
    load_edition(data)
    db.session.commit()
    _counts, ids_before, _texts = snapshot()
    data["levels"][0]["descriptors"]["knowledge"]["en"] = "Corrected translation"
    with pytest.raises(EditionFileError, match="already loaded"):
        load_edition(data)
    db.session.rollback()
    result = load_edition(data, update=True)
    db.session.commit()
    assert result.status == "updated"
    _counts, ids_after, texts = snapshot()
    assert ids_after == ids_before
    assert {"kk", "ru", "en"} <= set(texts[2]) and texts[2]["en"] == "Corrected translation"


def test_a_second_edition_coexists(app_ctx):
    load_edition(read_edition_file(NQF_2013))
    load_edition(read_edition_file(MADE_UP))
    db.session.commit()
    editions = db.session.scalars(select(FrameworkEdition).order_by(FrameworkEdition.in_force_from)).all()
    assert [edition.code for edition in editions] == ["kz-nqf-2013", "test-nqf-2030"]
    assert len(editions[0].levels) == 8 and len(editions[1].levels) == 2
    assert current_edition(date(2014, 6, 1)).code == "kz-nqf-2013"
    assert current_edition(date(2031, 1, 1)).code == "test-nqf-2030"
    # between the two (the 2013 edition repealed, the next not yet in force): the most recent one
    assert current_edition(date(2020, 1, 1)).code == "test-nqf-2030"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["levels"][0]["descriptors"].pop("skills"), "descriptors.skills"),
        (lambda d: d["levels"][0]["descriptors"]["knowledge"].update(ru=""), "non-empty"),
        (lambda d: d["levels"][1]["pathways"][0].update(rule={"education": ["pilot"]}), "unknown code"),
        (lambda d: d["levels"].append(dict(d["levels"][0])), "distinct"),
        (lambda d: d.update(schema=2), "schema"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(app_ctx, change, message):
    data = read_edition_file(MADE_UP)
    change(data)
    with pytest.raises(EditionFileError, match=message):
        load_edition(data)


def test_cli_loads_a_file_idempotently(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["framework", "load", str(MADE_UP)])
    second = runner.invoke(args=["framework", "load", str(MADE_UP)])
    assert first.exit_code == 0 and "test-nqf-2030: created" in first.output
    assert second.exit_code == 0 and "test-nqf-2030: unchanged" in second.output
    broken = runner.invoke(args=["framework", "load", __file__])
    assert broken.exit_code != 0 and "Error" in broken.output
    listing = runner.invoke(args=["framework", "list"])
    assert "test-nqf-2030" in listing.output
