"""The API documentation at /api/docs/ is served from our own files under the strict CSP ('self' only).

That it renders in real Chromium is tests/browser/test_api_docs.py (the browser tests share one browser).
"""

from __future__ import annotations


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
