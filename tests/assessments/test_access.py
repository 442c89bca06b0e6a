"""Every assessment route for each role: anonymous -> sign-in; the wrong role -> 403; an assessor who is not
assigned -> 404; the assigned assessor and administrators get through."""

import pytest

from tests.assessments.conftest import judgement

# (method, url template, {role: expected status}); "assigned" is the assessor of the first assignment.
ROUTES = [
    ("GET", "/assess", {"candidate": 403, "assessor": 200, "assigned": 200, "admin": 403}),
    ("GET", "/assess/{assignment}", {"candidate": 403, "assessor": 404, "assigned": 200, "admin": 403}),
    ("POST", "/assess/{assignment}", {"candidate": 403, "assessor": 404, "assigned": 200, "admin": 403}),
    ("POST", "/assess/{assignment}/draft", {"candidate": 403, "assessor": 404, "assigned": 302, "admin": 403}),
    ("POST", "/assess/{assignment}/submit", {"candidate": 403, "assessor": 404, "assigned": 302, "admin": 403}),
    ("POST", "/moderation/{application}", {"candidate": 403, "assessor": 404, "assigned": 409, "admin": 409}),
    ("POST", "/moderation/{application}/results", {"candidate": 403, "assessor": 404, "assigned": 409, "admin": 409}),
    # only the moderator an administrator picked opens the moderation (nobody is picked here)
    ("GET", "/moderation/{application}", {"candidate": 403, "assessor": 404, "assigned": 404, "admin": 404}),
    (
        "POST",
        "/moderation/{application}/declaration",
        {"candidate": 403, "assessor": 404, "assigned": 404, "admin": 404},
    ),
    (
        "POST",
        "/admin/applications/{application}/moderator",
        {"candidate": 403, "assessor": 403, "assigned": 403, "admin": 302},
    ),
    (
        "POST",
        "/admin/applications/{application}/assign",
        {"candidate": 403, "assessor": 403, "assigned": 403, "admin": 302},
    ),
    (
        "POST",
        "/admin/applications/{application}/decision",
        {"candidate": 403, "assessor": 403, "assigned": 403, "admin": 409},
    ),
    ("GET", "/notifications", {"candidate": 200, "assessor": 200, "assigned": 200, "admin": 200}),
    ("POST", "/notifications/read", {"candidate": 302, "assessor": 302, "assigned": 302, "admin": 302}),
]


def test_the_list_covers_every_assessment_route():
    from certcenter import create_app

    app = create_app("testing")
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("assessments.") or rule.rule.startswith("/notifications")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {
        (method, url.replace("{assignment}", "<int:assignment_id>").replace("{application}", "<int:application_id>"))
        for method, url, _ in ROUTES
    }
    assert found == listed


@pytest.mark.parametrize(("method", "template", "expected"), ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "candidate", "assessor", "assigned", "admin"])
def test_access(app, in_assessment, login_as, method, template, expected, role):
    scene = in_assessment()
    url = template.format(assignment=scene.assignment_ids[0], application=scene.application_id)
    if "/assess/" in url:
        data = judgement(scene)
    elif "/moderation/" in url:
        data = {"criterion_key": "descriptor:skills", "rating": "met", "reason": "Reason.", "kind": "theory"}
        data |= {"percent": "80", "conflict": "no"}
    else:
        data = {"conflict": "no", "outcome": "confirmed"}
    if role == "anonymous":
        client = app.test_client()
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        return
    client = {"candidate": scene.candidate, "assigned": scene.assessors[0], "admin": scene.admin}.get(role)
    if client is None:
        client = login_as(role)
    response = client.open(url, method=method, data=data if method == "POST" else None)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
