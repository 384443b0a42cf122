"""The demo fills the public site with its released round (2012–2014) and keeps the next round, which is
in progress and not released, off it: ``make run`` shows a filled public site and nothing early."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from commitments.models import EvaluationRound, Goal, IndicatorValue
from commitments.seeding import seed_demo
from opendata import released

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_released_round_on_the_public_site_and_nothing_of_the_next(client):
    seed_demo(password="synthetic-demo-password-2014")
    shown = EvaluationRound.objects.get(label="2012–2014")
    hidden = EvaluationRound.objects.exclude(pk=shown.pk).get()
    assert list(released.rounds()) == [shown]
    assert hidden.released_at is None
    # The next round's baseline is the released round's evaluation period: only its own period is hidden.
    assert hidden.baseline_period == shown.evaluation_period
    hidden_periods = [hidden.evaluation_period.label, hidden.evaluation_period.label_nl]

    urls = [reverse("public:overview", args=[language]) for language in ("en", "nl")]
    urls += [
        reverse("public:goal", args=["en", code]) for code in Goal.objects.values_list("code", flat=True)
    ]
    urls += [reverse("public:country", args=[language, "NL"]) for language in ("en", "nl")]
    urls += [reverse("public:round_data", args=[shown.pk, "csv"]), reverse("public:catalogue")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        for words in [hidden.label, *hidden_periods]:
            assert words not in text, (url, words)
    assert client.get(reverse("public:round_data", args=[hidden.pk, "csv"])).status_code == 404

    page = client.get(reverse("public:country", args=["en", "NL"])).content.decode()
    assert "[Demo]" in page  # its released commitments
    # Figures with nothing synthetic about their look say so on every page that shows them.
    for url in urls:
        if url.startswith("/public/en/"):
            assert (
                "Synthetic demo data: these figures describe no real country."
                in client.get(url).content.decode()
            )
        elif url.startswith("/public/nl/"):
            assert "Synthetische demogegevens" in client.get(url).content.decode(), url
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("public:round_data", args=[shown.pk, "csv"])).content.decode("utf-8-sig")
            )
        )
    )
    expected = released.values().filter(period__in=[shown.baseline_period, shown.evaluation_period])
    assert len(rows) == expected.count() > 100
    # Every value of the round the demo left unapproved stays off the file.
    unapproved = IndicatorValue.objects.filter(
        period__in=[shown.baseline_period, shown.evaluation_period]
    ).exclude(status="approved")
    keys = {(row["country"], row["indicator"], row["period"]) for row in rows}
    assert not keys & set(unapproved.values_list("country__code", "indicator__code", "period__label"))


def test_real_figures_carry_no_demo_label(client, world):
    import time_machine

    from tests.opendata.world import RELEASE

    with time_machine.travel(RELEASE, tick=False):
        for url in [reverse("public:overview", args=["en"]), reverse("public:country", args=["en", "NL"])]:
            response = client.get(url)
            assert response.status_code == 200
            assert "Synthetic demo data" not in response.content.decode()
