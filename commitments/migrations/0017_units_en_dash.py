"""Ranges in the indicators' units are written with an en dash, as the charts and the value types write
them ("level 0–4", not "level 0-4"): the seed data now says so, and rows seeded before are brought in
line here. Only the exact seeded texts change (a unit someone typed otherwise is theirs); each change is
kept in the indicator's history and put in the sync outbox, as a seed update would be."""

from django.db import migrations
from django.db.models.expressions import RawSQL
from django.utils import timezone

# (field, old text, new text): the units commitments/data/indicators.csv seeded with a hyphen.
RANGES = [
    ("unit", "level 0-4", "level 0–4"),
    ("unit_nl", "niveau 0-4", "niveau 0–4"),
    ("unit", "criteria met (0-5)", "criteria met (0–5)"),
    ("unit_nl", "criteria voldaan (0-5)", "criteria voldaan (0–5)"),
]
REASON = "seed_alliance"  # commitments.seeding.SEED_REASON: a change of the seed data, not a person's


def write(apps, schema_editor, ranges) -> None:
    Indicator = apps.get_model("commitments", "Indicator")
    HistoricalIndicator = apps.get_model("commitments", "HistoricalIndicator")
    Change = apps.get_model("sync", "Change")
    postgresql = schema_editor.connection.vendor == "postgresql"
    changed = {}
    for field, old, new in ranges:
        for indicator in Indicator.objects.filter(**{field: old}).order_by("code"):
            setattr(indicator, field, new)
            indicator.save(update_fields=[field])
            changed[indicator.pk] = indicator
    now = timezone.now()
    for indicator in changed.values():
        fields = {f.attname: getattr(indicator, f.attname) for f in Indicator._meta.concrete_fields}
        HistoricalIndicator.objects.create(
            **fields, history_date=now, history_type="~", history_change_reason=REASON, history_user=None
        )
        txid = RawSQL("pg_current_xact_id()::text::bigint", []) if postgresql else None
        Change.objects.create(txid=txid, resource="indicator", key=indicator.code, public=True)


def en_dash(apps, schema_editor) -> None:
    write(apps, schema_editor, RANGES)


def hyphen(apps, schema_editor) -> None:
    write(apps, schema_editor, [(field, new, old) for field, old, new in RANGES])


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0016_administrators_read_item_comments"),
        ("sync", "0002_h6_baseline_changes"),
    ]

    operations = [migrations.RunPython(en_dash, hyphen)]
