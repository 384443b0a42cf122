"""The API documentation at /api/docs/ renders in real Chromium under the strict CSP ('self' only).

Swagger UI comes from our own static files (drf-spectacular-sidecar) and starts from a separate script,
so the page needs no exception to the policy: any blocked script, style or request would show up here
as a console error or a failed request.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_page_renders_the_api_without_csp_violations(open_page, live_server):
    page = open_page()
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag-section")
    screenshot(page, "api-docs")

    assert "Alliance Monitor API" in page.inner_text(".swagger-ui .info .title")
    tags = {tag.split()[0] for tag in page.locator(".opblock-tag").all_inner_texts()}
    assert {"countries", "values", "commitments", "recommendations"} <= tags
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requested), requested
