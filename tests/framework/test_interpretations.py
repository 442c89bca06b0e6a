"""A pathway's interpretation note in kk/ru/en: the bundled notes in three languages, shown in the reader's language on
the level page and in the eligibility panel (a note with English only, as migrated, is shown in English, marked so);
the migration makes the English text of before {"en": text}, and back."""

from __future__ import annotations

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from certcenter.extensions import db
from certcenter.framework.models import FrameworkEdition
from tests.core.test_migrations import postgresql_schema


def bundled_note(app, code="4.1"):
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == "kz-nqf-2013"))
        return next(pathway for level in edition.levels for pathway in level.pathways if pathway.code == code)


def test_the_level_page_shows_the_note_in_the_readers_language(app, framework, client):
    note = bundled_note(app).interpretation
    assert set(note) == {"kk", "ru", "en"} and len(set(note.values())) == 3
    for language in ("kk", "ru", "en"):
        client.post("/language", data={"language": language})
        page = client.get("/framework/kz-nqf-2013/levels/4").get_data(as_text=True)
        assert f'<p lang="{language}">{note[language]}</p>' in page
        assert all(note[other] not in page for other in note if other != language)


def test_a_note_in_english_only_is_shown_in_english(app, framework, client):
    with app.app_context():
        edition = db.session.scalar(select(FrameworkEdition).where(FrameworkEdition.code == "kz-nqf-2013"))
        pathway = edition.level(4).pathways[0]
        pathway.interpretation = {"en": "Only in English."}
        db.session.commit()
    client.post("/language", data={"language": "kk"})
    assert '<p lang="en">Only in English.</p>' in client.get("/framework/kz-nqf-2013/levels/4").get_data(as_text=True)


def test_the_eligibility_panel_shows_how_the_centre_reads_each_pathway(app, make_candidate, catalogue):
    note = bundled_note(app).interpretation
    client = make_candidate(education=["technical_vocational"], years=1.35)
    for language, summary in (("kk", None), ("ru", None), ("en", "How the centre reads this pathway")):
        client.post("/language", data={"language": language})
        html = client.get(f"/qualifications/{catalogue['ELEC-MAINT-4']}").get_data(as_text=True)
        panel = html.split('id="eligibility"', 1)[1].split("</section>", 1)[0]
        assert f'<p lang="{language}">{note[language]}</p>' in panel
        assert summary is None or summary in panel


def carry_notes_through_the_migration(app):
    with app.app_context():
        upgrade(revision="cf721d3d1c4b")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO framework_editions (id, code, title, jurisdiction, in_force_from, legal_basis, "
                    "source_sha256, loaded_at, status) VALUES (1, 'old', :title, 'KZ', '2013-01-01', '{}', :sha, "
                    "'2026-01-01 00:00:00', 'published')"
                ),
                {"title": json.dumps({"kk": "Ескі", "ru": "Старая", "en": "Old"}), "sha": "0" * 64},
            )
            connection.execute(
                text("INSERT INTO framework_levels (id, edition_id, number, pathways_text) VALUES (1, 1, 1, :texts)"),
                {"texts": json.dumps({"kk": "а", "ru": "б", "en": "c"})},
            )
            for pathway_id, note in ((1, "Read as at least one of the two."), (2, "")):
                connection.execute(
                    text(
                        "INSERT INTO pathways (id, level_id, code, position, text, rule, interpretation) "
                        "VALUES (:id, 1, :code, :id, :texts, :rule, :note)"
                    ),
                    {"id": pathway_id, "code": f"1.{pathway_id}", "texts": json.dumps({"kk": "а", "ru": "б",
                     "en": "c"}), "rule": json.dumps({"practical_experience": True}), "note": note},
                )  # fmt: skip
        upgrade()
        with db.engine.connect() as connection:
            notes = connection.execute(text("SELECT interpretation FROM pathways ORDER BY id")).scalars().all()
        notes = [json.loads(note) if isinstance(note, str) else note for note in notes]
        assert notes == [{"en": "Read as at least one of the two."}, {}]
        downgrade(revision="cf721d3d1c4b")
        with db.engine.connect() as connection:
            notes = connection.execute(text("SELECT interpretation FROM pathways ORDER BY id")).scalars().all()
        assert notes == ["Read as at least one of the two.", ""]
        upgrade()
        db.session.remove()


def test_the_migration_carries_the_notes_on_sqlite(make_app, tmp_path):
    carry_notes_through_the_migration(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'notes.sqlite3'}"))


@pytest.mark.postgres
def test_the_migration_carries_the_notes_on_postgresql(make_app):
    with postgresql_schema(make_app, "interpretation_notes") as app:
        carry_notes_through_the_migration(app)


def test_setup_brings_an_edition_loaded_from_an_older_file_up_to_the_bundled_one(app):
    """A database loaded before the notes were translated: `certcenter setup` (make run) updates the bundled edition
    in place instead of refusing its new content."""
    from certcenter.framework.services import bundled_edition_files, load_edition, read_edition_file

    with app.app_context():
        data = read_edition_file(bundled_edition_files()[0])
        for level in data["levels"]:
            for pathway in level["pathways"]:
                pathway["interpretation"] = pathway["interpretation"]["en"]  # as the file said before
        load_edition(data)
        db.session.commit()
    assert bundled_note(app).interpretation.keys() == {"en"}
    result = app.test_cli_runner().invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0 and "kz-nqf-2013: updated" in result.output
    assert bundled_note(app).interpretation.keys() == {"kk", "ru", "en"}
    with app.app_context():
        assert db.session.scalar(select(FrameworkEdition.status).where(FrameworkEdition.code == "kz-nqf-2013")) == (
            "published"
        )
    assert "kz-nqf-2013: unchanged" in app.test_cli_runner().invoke(args=["setup", "--no-demo"]).output
