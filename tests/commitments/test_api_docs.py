"""The API documentation at /api/docs/ renders in a real Chromium under the strict CSP ('self' only)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOT = os.environ.get("API_DOCS_SCREENSHOT")  # set to a path to look at the page


def test_the_docs_page_is_served_from_our_own_files_under_the_strict_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "<style>" not in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # live_server flushes: restore the seed
def test_the_docs_page_renders_the_api_in_chromium_without_csp_violations(live_server):
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{live_server.url}/api/docs/")
            page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
            page.wait_for_selector(".opblock-tag-section", timeout=15_000)
            title = page.inner_text(".swagger-ui .info .title")
            tags = page.locator(".opblock-tag").all_inner_texts()
            if SCREENSHOT:
                page.screenshot(path=SCREENSHOT, full_page=False)
        finally:
            browser.close()
    assert "Alliance Monitor API" in title
    assert {"countries", "values", "commitments", "recommendations"} <= {tag.split()[0] for tag in tags}
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requested), requested
