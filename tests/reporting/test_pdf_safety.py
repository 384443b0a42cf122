"""WeasyPrint fetches nothing but the app's own static files; text typed by users stays text."""

from __future__ import annotations

import http.server
import subprocess
import threading

import pytest
from django.utils import timezone, translation

from commitments.models import CommitmentProgress
from reporting import document, selectors
from reporting.content import Book
from reporting.models import Report
from reporting.pdf import StaticOnlyFetcher, render_pdf, static_url

from .conftest import commit


@pytest.fixture
def listener():
    """A web server on 127.0.0.1 that counts the requests it gets (there must be none)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/secret.png",
        "https://example.org/tracker.png",
        "data:image/svg+xml;base64,PHN2Zy8+",
        static_url("../../../../etc/passwd"),
        static_url("css/../../alliance_monitor/settings.py"),
        static_url("css/report.css").replace("https://", "http://"),
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(PermissionError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_report_stylesheet():
    response = StaticOnlyFetcher().fetch(static_url("css/report.css"))
    assert b"@page" in response.read() and response.content_type == "text/css"


def test_rendering_markup_that_points_outside_fetches_nothing(listener):
    address, hits = listener
    html = f"""<html><head><link rel="stylesheet" href="{address}/style.css">
      <style>@import url("{address}/import.css");
        body {{ background: url("file:///etc/hostname"); }}</style></head>
      <body><img src="file:///etc/passwd" alt="no file"><img src="{address}/pixel.png" alt="no call">
      <img src="data:image/png;base64,iVBORw0KGgo=" alt="no data url"></body></html>"""

    rendered = render_pdf(html=html)

    assert hits == []
    assert set(rendered.refused) >= {
        f"{address}/style.css",
        f"{address}/import.css",
        "file:///etc/hostname",
        "file:///etc/passwd",
        f"{address}/pixel.png",
        "data:image/png;base64,iVBORw0KGgo=",
    }


def test_a_narrative_holding_markup_shows_as_text(
    tmp_path, evaluation_round, nl, baseline_period, progress_period, listener
):
    address, hits = listener
    narrative = f'<img src=file:///etc/passwd> and <img src="{address}/x.png"> <b>bold?</b>'
    commitment = commit(nl, "PREVENTION", "Awareness campaign", {progress_period: ("limited", narrative)})
    assert CommitmentProgress.objects.get(commitment=commitment).narrative == narrative
    report = Report(kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl, language="en")
    with translation.override("en"):
        data = selectors.report_data(evaluation_round=evaluation_round, country=nl)
        frozen = {
            "data": data,
            "snapshot": selectors.data_snapshot(data),
            "generated_at": timezone.now().isoformat(),
        }
        html = document.country_report_html(book=Book(data), frozen=frozen, report=report)

    assert "&lt;img src=file:///etc/passwd&gt;" in html and "<img src=file" not in html
    rendered = render_pdf(html=html)
    assert rendered.refused == [] and hits == []
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered.pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "<img src=file:///etc/passwd>" in text and "<b>bold?</b>" in text
