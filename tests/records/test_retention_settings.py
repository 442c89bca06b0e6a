"""The retention schedule is the settings page's "retention" group: one period per kind of record (the register
shown as permanent, not editable), read at each run, so a period changed on the page changes the next dry run
without a restart."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

from certcenter.core.settings import PERMANENT, SETTINGS
from certcenter.records import retention
from tests.records.test_retention import after_period
from tests.records.test_retention import retention as run_retention


class _Inputs(HTMLParser):
    """The settings form's fields as the page fills them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") and attributes.get("type") not in ("file", "checkbox", "submit"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def page_form(admin) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(admin.get("/admin/settings").get_data(as_text=True))
    return parser.values


def test_the_retention_group_is_exactly_the_schedule(app, login_as):
    group = {key for key, setting in SETTINGS.items() if setting.group == "retention"}
    assert group == set(retention.SETTING_OF.values())
    assert set(retention.SETTING_OF) == set(retention.KINDS)
    assert SETTINGS[retention.SETTING_OF[retention.CERTIFICATE_REGISTER]].kind == PERMANENT
    admin = login_as("admin")
    admin.post("/language", data={"language": "en"})
    page = admin.get("/admin/settings").get_data(as_text=True)
    fields = page_form(admin)
    for kind, key in retention.SETTING_OF.items():
        if kind == retention.CERTIFICATE_REGISTER:
            assert key not in fields and f'data-setting="{key}"' in page
            assert "Kept permanently: the law requires it." in page
        else:
            assert key in fields, key
    assert fields["complaints_retention_years"] == "5" and fields["data_export_days"] == "7"
    assert "case_retention_years" not in fields  # a period no record had


def test_a_period_changed_on_the_settings_page_changes_the_next_dry_run(app, holders):
    (person,) = holders(1)
    admin = holders.admin
    day = after_period(person)  # five years and a day after his certificate expired
    before = run_retention(app, "--dry-run", "--today", day)
    assert {line.split("\t")[0] for line in before[:-1]} == {"evidence", "assessment_records", "personal_data"}

    form = page_form(admin) | {"evidence_retention_years": "10", "personal_data_retention_years": "6"}
    assert admin.post("/admin/settings", data=form).status_code == 302
    after = run_retention(app, "--dry-run", "--today", day)
    assert [line.split("\t")[0] for line in after[:-1]] == ["assessment_records"]
    page = admin.get("/admin/records").get_data(as_text=True)
    assert "10 years after the certification cycle ends" in page

    later = (date.fromisoformat(day).replace(year=date.fromisoformat(day).year + 1) + timedelta(days=1)).isoformat()
    assert {line.split("\t")[0] for line in run_retention(app, "--dry-run", "--today", later)[:-1]} == {
        "assessment_records",
        "personal_data",
    }
    # the register cannot be made a period by a crafted form
    assert admin.post("/admin/settings", data=form | {"certificate_register_retention": "1"}).status_code == 302
    with app.app_context():
        assert retention.schedule()[retention.CERTIFICATE_REGISTER] is None
