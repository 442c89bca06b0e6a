"""Role checks on every administration route: anonymous -> sign-in page, candidate and assessor -> 403."""

import re

import pytest

from certcenter import create_app


def all_admin_routes():
    """Every /admin rule of the application, with each id filled in: a new admin page is checked automatically."""
    app = create_app("testing")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        url = re.sub(r"<any\(([a-z_]+)[^>]*>", r"\1", url)  # <any(a, b):action> -> a
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


ALL_ADMIN_ROUTES = all_admin_routes()


def test_the_route_list_is_complete():
    assert ("GET", "/admin/qualifications") in ALL_ADMIN_ROUTES
    assert ("POST", "/admin/applications/1/exception") in ALL_ADMIN_ROUTES
    assert len(ALL_ADMIN_ROUTES) >= 15


@pytest.mark.parametrize(("method", "url"), ALL_ADMIN_ROUTES)
def test_every_admin_route_sends_anonymous_users_to_sign_in(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["candidate", "assessor"])
@pytest.mark.parametrize(("method", "url"), ALL_ADMIN_ROUTES)
def test_every_admin_route_is_forbidden_to_other_roles(login_as, role, method, url):
    assert login_as(role).open(url, method=method).status_code == 403


ADMIN_ROUTES = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{target}"),
    ("POST", "/admin/users/{target}/roles"),
    ("POST", "/admin/users/{target}/deactivate"),
    ("POST", "/admin/users/{target}/activate"),
    ("POST", "/admin/users/{target}/reset-password"),
    ("GET", "/admin/audit"),
]


@pytest.fixture
def target(make_user):
    return make_user(email="target@example.kz")


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_anonymous_is_sent_to_sign_in(client, target, method, url):
    response = client.open(url.format(target=target.id), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["candidate", "assessor"])
@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_other_roles_are_forbidden(login_as, target, role, method, url):
    client = login_as(role)
    response = client.open(url.format(target=target.id), method=method)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [route for route in ADMIN_ROUTES if route[0] == "GET"])
def test_administrator_opens_every_page(login_as, target, method, url):
    client = login_as("admin")
    assert client.open(url.format(target=target.id), method=method).status_code == 200


def test_unknown_user_is_404_for_the_administrator(login_as):
    assert login_as("admin").get("/admin/users/99999").status_code == 404
