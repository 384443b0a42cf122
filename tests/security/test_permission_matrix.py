"""One permission matrix: every route of the project x every role x every method the route accepts.

The roles: a visitor, staff of the Netherlands and of Belgium, a reviewer, a minister, an administrator,
and four API tokens (every country, Belgium only, revoked, expired).

The routes are walked from the URL configuration (the admin's and the API routers' included); what each
role gets is the table in tests/security/matrix.py. Each cell is its own test, run against one world
built once for the module (inside a transaction rolled back at the end) and isolated by a savepoint.
Besides its expected outcome, every cell checks two things that hold whatever the route:
- a refused request (sign-in, 401, 403, 404, 405, or a refused input) changed nothing in the database;
- no answer carries text of unapproved data the role may not read (markers planted in every draft):
  staff of Belgium never read Dutch drafts, partners and ministers no drafts at all, in any format.
"""

from __future__ import annotations

import collections
import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings

from tests.security import matrix
from tests.security.matrix import (
    DENIALS,
    OK,
    ROLES,
    TABLE,
    Cell,
    MatrixWorld,
    accepted_methods,
    admin_methods,
    body_of,
    outcome_of,
    project_routes,
    url_of,
)

CELLS = matrix.cells()
# Tables a refused request must leave alone: the domain, the reports, people and roles, with their
# history tables (which get a row for every save, so that updates are seen too).
GUARDED_APPS = ("commitments", "reporting", "auth", "cycle", "focal", "accounts", "opendata")
CHANGE_COLUMNS = (
    "version", "updated_at", "published_at", "revoked_at", "is_open", "status", "stage", "released_at"
)


def guarded_state() -> dict[str, str]:
    """One query: per guarded table, its row count and the latest values of the columns a change moves."""
    selects = []
    for label in GUARDED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            table = model._meta.db_table
            columns = {f.column for f in model._meta.concrete_fields}
            parts = ["count(*)::text", *(f"max({c}::text)" for c in CHANGE_COLUMNS if c in columns)]
            if "version" in columns:
                parts.append("sum(version)::text")
            selects.append(f"SELECT '{table}', concat_ws('|', {', '.join(parts)}) FROM \"{table}\"")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        return dict(cursor.fetchall())


# --- the world, the callers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's rows and signed-in sessions, built once inside a transaction that is rolled back."""
    # Request budgets are tested with the API; here each caller sends hundreds of requests. Two-factor
    # sign-in is tested in test_sign_in.py; here people are signed in as if they had given their code.
    overrides = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media")),
        TWO_FACTOR_REQUIRED_FOR_REVIEWERS=False,
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"partner": None, "user": None}},
    )
    overrides.enable()
    outer = transaction.atomic()
    try:
        with django_db_blocker.unblock():
            outer.__enter__()
            built = matrix.build_matrix_world()
            for role in matrix.PEOPLE:
                client = Client()
                client.force_login(built.users[role])
                built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            # Every cell starts from this state: each runs in a savepoint that is rolled back.
            built.baseline = guarded_state()
        yield built
    finally:
        with django_db_blocker.unblock():
            if connection.in_atomic_block:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
        overrides.disable()


def client_for(role: str, world: MatrixWorld) -> Client:
    if role in matrix.TOKENS:
        return Client(headers={"Authorization": f"Bearer {world.keys[role]}"})
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def send(client: Client, method: str, url: str, body: dict | None):
    """JSON to the API, a form (as a browser posts it) to pages and the admin."""
    if url.startswith("/api/"):
        data = json.dumps(body) if body is not None else ""
        return client.generic(method, url, data, content_type="application/json")
    if method == "POST":
        return client.post(url, body or {})
    return client.generic(
        method, url, urlencode(body or {}), content_type="application/x-www-form-urlencoded"
    )


def content_of(response) -> str:
    """The whole body (a streamed download is read to its end, which also closes it)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


# --- the matrix -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_each_role_gets_what_the_table_says(cell: Cell, world: MatrixWorld, db):
    url = url_of(cell, world)

    response = send(client_for(cell.role, world), cell.method, url, body_of(cell, world))

    content = content_of(response)
    got = outcome_of(response)
    where = f"{cell.method} {url} as {cell.role}: HTTP {response.status_code} {response.get('Location', '')}"
    assert got == cell.expected, f"{where}: expected {cell.expected}, got {got}\n{content[:300]}"
    if got != OK:
        assert guarded_state() == world.baseline, f"{where}: refused, yet the database changed"
    forbidden = matrix.FORBIDDEN_TEXT[cell.role]
    if cell.route.key.startswith("public:"):
        forbidden = forbidden - matrix.RELEASED_TEXT  # released to everyone (embargo: tests/opendata/)
    leaked = sorted(marker for marker in forbidden if marker in content)
    assert leaked == [], f"{where}: shows {leaked}, which {cell.role} may not read"


@pytest.mark.parametrize(
    ("role", "url", "markers"),
    [
        (
            "reviewer",
            "/api/v1/values/?page_size=100",
            ["SECRET-DRAFT-NL", "SECRET-DRAFT-BE", "SECRET-DRAFT-DE"],
        ),
        ("reviewer", "/api/v1/recommendations/", ["SECRET-DRAFT-ALLIANCE"]),
        ("staff_nl", "/api/v1/values/?page_size=100", ["SECRET-DRAFT-NL", "APPROVED-BE"]),
        ("limited", "/api/v1/values/", ["APPROVED-BE"]),
        ("partner", "/api/v1/commitments/", ["APPROVED-NL", "APPROVED-DE"]),
        ("staff_nl", "/countries/NL/", ["SECRET-DRAFT-NL"]),
        ("minister", "/countries/NL/", ["APPROVED-NL"]),
    ],
)
def test_the_markers_show_where_they_may_so_their_absence_means_something(role, url, markers, world, db):
    content = content_of(client_for(role, world).get(url))
    assert [marker for marker in markers if marker not in content] == []


# --- the table covers the project ---------------------------------------------------------------------


def test_every_route_of_the_project_is_in_the_table():
    missing = [r.key for r in project_routes() if not r.is_admin and r.key not in TABLE]
    assert missing == [], (
        f"Routes with no row in tests/security/matrix.py TABLE (who may do what?): {missing}"
    )


def test_the_table_names_no_route_that_is_gone():
    keys = {r.key for r in project_routes()}
    assert sorted(set(TABLE) - keys) == []


def test_the_table_checks_exactly_the_methods_each_view_accepts():
    wrong = {}
    for project_route in project_routes():
        if project_route.is_admin or project_route.key not in TABLE:
            continue
        accepted = accepted_methods(project_route.callback)
        for entry in TABLE[project_route.key]:
            checked = set(entry.methods)
            # A view that takes any method is checked with the ones it handles (the table says which).
            if (accepted is not None and checked != accepted) or not checked:
                wrong[project_route.key] = {"accepted": accepted, "checked": checked}
    assert wrong == {}


def test_every_admin_route_is_checked_with_get_for_every_role():
    admin_routes = [r for r in project_routes() if r.is_admin]
    checked = {(cell.route.pattern, cell.role) for cell in CELLS if cell.method == "GET"}
    unchecked = [(r.key, role) for r in admin_routes for role in ROLES if (r.pattern, role) not in checked]
    assert len(admin_routes) > 100 and unchecked == []
    assert all("GET" in admin_methods(r.key) for r in admin_routes)


def test_every_cell_has_a_concrete_url_that_leads_to_its_route(world: MatrixWorld, db):
    failures = {}
    for cell in {(c.route.pattern, c.variant): c for c in CELLS}.values():
        try:
            url_of(cell, world)
        except (KeyError, AssertionError) as error:
            failures[cell.route.key] = str(error)
    assert failures == {}


def test_the_size_of_the_matrix_is_recorded(capsys):
    routes = {cell.route.pattern for cell in CELLS}
    urls = {(cell.route.pattern, cell.variant) for cell in CELLS}
    per_method = collections.Counter(cell.method for cell in CELLS)
    refusals = sum(cell.expected in DENIALS for cell in CELLS)
    methods = ", ".join(f"{method} {count}" for method, count in sorted(per_method.items()))
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(routes)} routes ({len(urls)} URLs) x {len(ROLES)} roles"
            f" x their methods = {len(CELLS)} cells ({methods}); {refusals} expect a refusal"
        )
    assert len(routes) == len(project_routes())
