"""One change for every item there is when the feed begins, so that reading the feed from its start
gives the whole current state (a new partner needs no other first load)."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Q
from django.db.models.expressions import RawSQL


def baseline(apps, schema_editor) -> None:
    Change = apps.get_model("sync", "Change")
    postgresql = schema_editor.connection.vendor == "postgresql"
    rows = []

    def add(resource, key, country_id=None, public=True):
        txid = RawSQL("pg_current_xact_id()::text::bigint", []) if postgresql else None
        rows.append(Change(txid=txid, resource=resource, key=str(key), country_id=country_id, public=public))

    for country in apps.get_model("commitments", "Country").objects.order_by("code"):
        add("country", country.code, country.pk)
    for goal in apps.get_model("commitments", "Goal").objects.order_by("order"):
        add("goal", goal.code)
    for indicator in apps.get_model("commitments", "Indicator").objects.order_by("code"):
        add("indicator", indicator.code)
    for model, resource in [("ReportingPeriod", "period"), ("EvaluationRound", "round")]:
        for pk in apps.get_model("commitments", model).objects.order_by("pk").values_list("pk", flat=True):
            add(resource, pk)
    seen = Q(status="approved") | Q(approved_at__isnull=False)
    values = apps.get_model("commitments", "IndicatorValue").objects.order_by("pk")
    for pk, country_id, public in values.annotate(public=seen).values_list("pk", "country_id", "public"):
        add("value", pk, country_id, public)
    for model, resource in [("Commitment", "commitment"), ("Recommendation", "recommendation")]:
        items = apps.get_model("commitments", model).objects.order_by("pk")
        for pk, country_id in items.values_list("pk", "country_id"):
            add(resource, pk, country_id)
    reports = apps.get_model("reporting", "Report").objects.order_by("pk")
    for pk, country_id, published_at in reports.values_list("pk", "country_id", "published_at"):
        add("report", pk, country_id, published_at is not None)
    Change.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_h6_change_outbox"),
        ("commitments", "0005_administrator_sign_in_admin"),
        ("reporting", "0001_initial"),
    ]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
