"""The audit trail has no holes and cannot be rewritten unnoticed.

Every model that holds state keeps history (a test derived from the models), every state change that
matters shows in /audit/ (reports, downloads, roles, country assignments, partner tokens, two-factor
devices, lock-outs lifted), a save that changes nothing leaves no row, and the database seals every
history row into a hash chain that ``verify_audit`` checks: an altered, removed or smuggled-in row is
named, and the audit records themselves refuse UPDATE and DELETE.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance_monitor import audit
from alliance_monitor.auth import DEVICE_NAME
from audit import sealing
from audit.models import AuditRecord
from commitments.access import Role
from commitments.models import Commitment, CountryAssignment, PartnerToken
from commitments.services import partner_token_create, partner_token_revoke
from reporting import pipeline as report_pipeline
from reporting import services as report_services
from reporting.models import Report, ReportDownload
from tests.factories import CommitmentFactory, UserFactory

# Models that hold no state of their own worth a history, each with the reason. A new model missing
# from here and without HistoricalRecords fails test_every_model_that_holds_state_keeps_history.
EXEMPT = {
    # Logs and records of what happened: they are the history of something else.
    "admin.LogEntry": "the admin's own log of its actions",
    "axes.AccessLog": "a log of sign-ins",
    "axes.AccessFailureLog": "a log of failed sign-ins",
    "audit.AuditRecord": "the seal of every history row: the audit itself",
    "sync.Change": "the change feed's outbox: one row per change of models that keep their own history",
    "webhooks.WebhookDelivery": "a log of the events sent to partners (the endpoint keeps history)",
    "webhooks.WebhookAttempt": "a log of each delivery attempt and its answer",
    "notifications.NotificationLog": "a log of the reminders and digests sent (one per key)",
    "cycle.RoundTransition": "the log of a round's steps (the round's own history records each one too)",
    "opendata.ReportDownloads": "a count of public report downloads per report and day, kept by the site",
    # Caches and machinery, rebuilt or derived, never edited by a person.
    "sessions.Session": "sign-in sessions: a cache of who is signed in",
    "contenttypes.ContentType": "Django's catalogue of models, written by migrate",
    "auth.Permission": "Django's permissions, written by migrate (roles are groups, which keep history)",
    "axes.AccessAttemptExpiration": "when a failed-sign-in record expires; the record itself keeps history",
    "reporting.ReportPart": "a piece of work of the report pipeline; its outcome is the report's history",
}


def _label(model) -> str:
    return model._meta.label


def _is_history_table(model) -> bool:
    return hasattr(model, "instance_type") and model.__name__.startswith("Historical")


def test_every_model_that_holds_state_keeps_history():
    missing = [
        _label(model)
        for model in apps.get_models()
        if not _is_history_table(model)
        and _label(model) not in EXEMPT
        and not hasattr(model._meta, "simple_history_manager_attribute")
        and not model._meta.auto_created  # many-to-many tables: recorded on the model that owns them
    ]
    assert missing == [], f"Give these models HistoricalRecords (or exempt them, with a reason): {missing}"
    # The exemptions name real models (a renamed model must not stay exempt by accident).
    assert set(EXEMPT) <= {_label(m) for m in apps.get_models()}


@pytest.mark.django_db
def test_every_history_table_is_sealed_and_the_audit_table_append_only():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
        )
        triggers = set(cursor.fetchall())
    for source in audit.history_sources():
        table = source.history_model._meta.db_table
        assert {(table, "audit_seal"), (table, "audit_skip_noop")} <= triggers, table
    assert ("audit_auditrecord", "audit_append_only") in triggers


# --- every change that matters is in the history ---------------------------------------------------


def history_of(instance):
    return list(type(instance).history.filter(**{instance._meta.pk.attname: instance.pk}).order_by(
        "history_date", "history_id"
    ))


def test_a_save_that_changes_nothing_writes_no_history(db, nl):
    commitment = CommitmentFactory(country=nl)
    assert len(history_of(commitment)) == 1
    commitment.save()  # as the admin's "Save" does when nothing was edited
    Commitment.objects.get(pk=commitment.pk).save()
    assert len(history_of(commitment)) == 1
    commitment.title = "Synthetic: a new title"
    commitment.save()
    assert [row.history_type for row in history_of(commitment)] == ["+", "~"]


def test_signing_in_writes_no_history_of_the_user(client, staff_nl):
    before = len(history_of(staff_nl))
    staff_nl.set_password("a-new-secret-4711")
    staff_nl.save()
    client.post(reverse("login"), {"username": "anna-nl", "password": "a-new-secret-4711"})
    staff_nl.refresh_from_db()
    assert staff_nl.last_login is not None
    assert len(history_of(staff_nl)) == before
    assert "password" not in {f.name for f in type(staff_nl).history.model._meta.fields}


def test_roles_and_country_assignments_are_recorded(client, administrator, staff_nl, be):
    client.force_login(administrator)
    reviewers = Group.objects.get(name=str(Role.REVIEWER))
    staff_nl.groups.add(reviewers)
    reviewers.user_set.remove(staff_nl)  # the other side of the same relation
    CountryAssignment.objects.create(user=staff_nl, country=be)
    CountryAssignment.objects.filter(user=staff_nl, country=be).delete()

    roles = [row.roles for row in history_of(staff_nl)]
    assert roles == ["", "Staff", "Reviewer, Staff", "Staff"]
    assert {row.history_change_reason for row in history_of(staff_nl)[1:]} == {"roles changed"}
    assignments = CountryAssignment.history.filter(user=staff_nl, country=be).order_by("history_id")
    assert [row.history_type for row in assignments] == ["+", "-"]

    users = next(s.index for s in audit.history_sources() if s.model is type(staff_nl))
    entries = client.get(reverse("audit_log"), {"kind": users}).context["entries"]
    granted = next(e for e in entries if any(c.after == "Reviewer, Staff" for c in e.changes))
    assert {c.field: (c.before, c.after) for c in granted.changes}["roles"] == ("Staff", "Reviewer, Staff")


def test_partner_tokens_created_and_revoked_are_recorded(db, administrator, nl):
    token, _key = partner_token_create(name="Synthetic partner", countries=[nl], created_by=administrator)
    partner_token_revoke(token=token, user=administrator)
    rows = history_of(token)
    assert [(r.history_type, r.history_change_reason, r.history_user) for r in rows] == [
        ("+", "created", administrator),
        ("~", "revoked", administrator),
    ]
    assert isinstance(token, PartnerToken)


def test_two_factor_devices_added_and_reset_are_recorded_without_their_secret(client, staff_nl):
    device = TOTPDevice.objects.create(user=staff_nl, name=DEVICE_NAME, confirmed=False)
    device.confirmed = True
    device.save()
    device.last_t, device.drift = 12345, 1  # a code used: counters only, no history
    device.save()
    superuser = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302

    rows = TOTPDevice.history.filter(id=device.pk).order_by("history_id")
    assert [(r.history_type, r.confirmed) for r in rows] == [("+", False), ("~", True), ("-", True)]
    assert rows.last().history_user == superuser  # who reset it
    kept = {f.name for f in TOTPDevice.history.model._meta.fields}
    assert "key" not in kept and "last_t" not in kept


def test_a_lock_out_lifted_in_the_admin_is_recorded(client, staff_nl):
    attempt = AccessAttempt.objects.create(
        username=staff_nl.get_username(), ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
        path_info="/accounts/login/", get_data="", post_data="password=secret", failures_since_start=5,
    )
    superuser = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302

    rows = AccessAttempt.history.filter(id=attempt.pk).order_by("history_id")
    assert [r.history_type for r in rows] == ["+", "-"]
    assert rows.last().history_user == superuser and rows.last().username == "anna-nl"
    assert "post_data" not in {f.name for f in AccessAttempt.history.model._meta.fields}


PDF = b"%PDF-1.7\n% a synthetic report\n"


@pytest.fixture
def requested(reviewer, evaluation_round, nl, report_media):
    return report_services.report_request(
        user=reviewer, kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl
    )


@pytest.fixture
def report_media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def evaluation_round(db):
    from commitments.models import EvaluationRound

    return EvaluationRound.objects.get()


def _build(report: Report) -> None:
    """The pipeline's last step, as the worker makes it after rendering (claim, then finish)."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, stage=Report.Stage.PREPARING, claimed_task_id="task-1"
    )
    report_pipeline._finish(
        report=report, task_id="task-1", stage=Report.Stage.PREPARING, pdf=PDF, pages=1,
        snapshot="0" * 64, data_as_of=None,
    )


def test_a_report_requested_built_published_downloaded_and_withdrawn_is_in_the_audit(
    client, administrator, requested, reviewer, minister
):
    _build(requested)
    report_services.report_publish(report=requested, user=reviewer)
    minister_browser = type(client)()
    minister_browser.force_login(minister)
    assert minister_browser.get(f"/reports/{requested.pk}/download/").status_code == 200
    report_services.report_unpublish(report=requested, user=administrator)
    report_services.report_unpublish(report=requested, user=administrator)  # twice: one row

    rows = history_of(requested)
    assert [(r.history_change_reason, r.status, r.history_user) for r in rows] == [
        ("requested", "queued", reviewer),
        ("built", "ready", None),
        ("published", "ready", reviewer),
        ("withdrawn", "ready", administrator),
    ]
    download = ReportDownload.history.get(report_id=requested.pk)
    assert (download.history_type, download.history_user, download.user) == ("+", minister, minister)

    client.force_login(administrator)
    entries = client.get(reverse("audit_log"), {"country": requested.country_id}).context["entries"]
    kinds = [(e.source.model.__name__, e.reason, e.who) for e in entries]
    assert ("ReportDownload", "", minister) in kinds
    assert ("Report", "withdrawn", administrator) in kinds and ("Report", "requested", reviewer) in kinds


def test_a_failed_report_is_recorded_with_its_error(requested):
    report_pipeline.report_fail(report_id=requested.pk, error=ValueError("synthetic breakage"))
    failed = history_of(requested)[-1]
    assert failed.status == "failed" and failed.history_change_reason.startswith("failed: ")
    assert "synthetic breakage" in failed.history_change_reason


# --- sealed: tampering is found -----------------------------------------------------------------------


def verify() -> sealing.Verification:
    return sealing.verify()


@pytest.fixture
def trail(db, nl, staff_nl, requested):
    """Some history: a commitment created and changed, a report requested, built and published."""
    commitment = CommitmentFactory(country=nl)
    commitment.title = "Synthetic: changed once"
    commitment.save()
    return commitment


def _sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _as_superuser_without_triggers(statement: str, params=()) -> int:
    """What a database superuser could do: change tables with every trigger switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            cursor.execute(statement, params)
            return cursor.rowcount
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_a_clean_trail_verifies(trail):
    result = verify()
    assert result.problems == [] and result.records == AuditRecord.objects.count() > 0
    call_command("verify_audit")


def test_a_history_row_altered_in_sql_is_caught(trail, capsys):
    row = history_of(trail)[0]
    seal = AuditRecord.objects.get(table_name="commitments_historicalcommitment", history_id=row.history_id)
    assert _sql(
        "UPDATE commitments_historicalcommitment SET title = 'Rewritten' WHERE history_id = %s",
        [row.history_id],
    ) == 1

    result = verify()
    assert result.first.seq == seal.seq
    assert result.first.message == (
        f"audit record #{seal.seq}: commitments_historicalcommitment row {row.history_id} altered"
    )
    with pytest.raises(CommandError, match=f"First: audit record #{seal.seq}: .* altered"):
        call_command("verify_audit")


def test_who_made_a_change_cannot_be_rewritten(trail, reviewer):
    row = history_of(trail)[1]
    _sql(
        "UPDATE commitments_historicalcommitment SET history_user_id = %s WHERE history_id = %s",
        [reviewer.pk, row.history_id],
    )
    assert "altered (who made the change)" in verify().first.message


def test_a_deleted_history_row_is_caught(trail):
    row = history_of(trail)[1]
    seal = AuditRecord.objects.get(table_name="commitments_historicalcommitment", history_id=row.history_id)
    _sql("DELETE FROM commitments_historicalcommitment WHERE history_id = %s", [row.history_id])
    assert verify().first == sealing.Problem(
        seal.seq, f"audit record #{seal.seq}: commitments_historicalcommitment row {row.history_id} removed"
    )


def test_the_audit_records_refuse_update_and_delete(trail):
    for statement in (
        "UPDATE audit_auditrecord SET content_hash = repeat('0', 64) WHERE seq = 1",
        "DELETE FROM audit_auditrecord WHERE seq = 1",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement)
    assert verify().problems == []


def test_a_record_removed_or_rewritten_with_the_triggers_off_is_caught(trail):
    last = AuditRecord.objects.order_by("-seq").first()
    middle = last.seq - 2
    _as_superuser_without_triggers("DELETE FROM audit_auditrecord WHERE seq = %s", [middle])
    problems = verify().problems
    assert problems[0].message.startswith(f"audit record #{middle} removed from the chain")
    # The history row the record stood for is now unsealed: named as well.
    assert any("was never sealed" in p.message for p in problems)


def test_a_record_whose_hashes_were_recomputed_breaks_the_chain(trail):
    record = AuditRecord.objects.order_by("-seq")[1]
    _as_superuser_without_triggers(
        "UPDATE audit_auditrecord SET content_hash = repeat('1', 64) WHERE seq = %s", [record.seq]
    )
    assert verify().first.seq == record.seq


def test_a_history_row_smuggled_in_without_a_seal_is_caught(trail):
    row = history_of(trail)[1]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off: no seal
        row.pk = None
        row.title = "Synthetic: a change nobody made"
        row.save()
        cursor.execute("SET LOCAL session_replication_role = origin")
    messages = [p.message for p in verify().problems]
    assert messages == [
        f"commitments_historicalcommitment row {row.pk} was never sealed (added outside the chain)"
    ]


def test_deleting_a_user_keeps_the_trail_verifiable(trail, db):
    leaver = UserFactory(username="leaver")
    commitment = CommitmentFactory(country=trail.country)
    commitment.title = "Synthetic: changed by someone who left"
    commitment._history_user = leaver
    commitment.save()
    leaver.delete()  # the history keeps the change, no longer the person (SET NULL); the seal knows who
    assert history_of(commitment)[-1].history_user_id is None
    assert verify().problems == []


# Not a transactional test: restoring the database after a flush (serialized_rollback) writes the seeded
# history rows back with their times cut to milliseconds (Django's JSON), which is, to the seal, a change.
@pytest.mark.django_db
def test_verify_audit_is_clean_on_the_demo_data(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "synthetic-demo-pass-1")
    call_command("seed_demo", "--without-reports")
    capsys.readouterr()
    call_command("verify_audit")
    assert "The audit trail is intact" in capsys.readouterr().out
    assert AuditRecord.objects.count() > 5000  # the demo's values, commitments, progress, people...


# --- the export for an outside auditor ----------------------------------------------------------------


def export(client, **params) -> tuple[object, list[list[str]]]:
    import csv
    import io

    response = client.get(reverse("audit_export"), params)
    if response.status_code != 200:
        return response, []
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body[1:])))


def test_administrators_export_the_audit_as_csv_with_its_seals(client, administrator, trail):
    risky = UserFactory(username="@SUM(1+1)")  # a name a spreadsheet would run as a formula
    trail.title = "Synthetic: changed twice"
    trail._history_user = risky
    trail.save()
    client.force_login(administrator)

    response, rows = export(client, country=trail.country_id)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *lines = rows
    assert header[:3] == ["when_utc", "who", "who_id"] and header[-3:] == [
        "seal_seq", "seal_content_hash", "seal_chain_hash"
    ]
    newest = dict(zip(header, lines[0], strict=True))
    # The spreadsheet formula is shown, never run.
    assert newest["who"] == "'@SUM(1+1)" and newest["who_id"] == str(risky.pk)
    assert newest["kind"] == "commitments.Commitment" and newest["record"] == "NL: Synthetic: changed twice"
    assert newest["action"] == "changed" and newest["country"] == "NL"
    assert newest["changes"] == "title: Synthetic: changed once → Synthetic: changed twice"
    seal = AuditRecord.objects.get(table_name=newest["history_table"], history_id=int(newest["history_id"]))
    assert (newest["seal_seq"], newest["seal_chain_hash"]) == (str(seal.seq), seal.chain_hash)
    assert newest["when_utc"].endswith("+00:00")
    # The filters of the page apply; every matching version is in the file, not one page of it.
    everything = audit.audit_trail(country_id=trail.country_id)
    assert len(lines) == everything.count()


def test_only_administrators_export_the_audit(client, staff_nl, reviewer, minister):
    response = client.get(reverse("audit_export"))
    assert response.status_code == 302
    for user in (staff_nl, reviewer, minister):
        client.force_login(user)
        assert client.get(reverse("audit_export")).status_code == 403


def test_a_bad_filter_gets_a_clear_error_not_a_file(client, administrator):
    client.force_login(administrator)
    response, _rows = export(client, date_from="2014-12-31", date_to="2014-01-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()


def test_the_export_reads_a_fixed_number_of_queries_per_batch(
    client, administrator, trail, django_assert_num_queries
):
    client.force_login(administrator)
    client.get(reverse("audit_log"))  # warm up the session
    kinds = {s.index for s in audit.history_sources()}
    assert len(kinds) > 10
    # session (1), user (1), roles (1), users (1), countries (1), the trail (1), then per batch of 500:
    # the seals (1) and one query per kind of record in the batch (Country, Commitment, User, Report,
    # ReportingPeriod, Goal, ... as the seeded trail holds them).
    response = client.get(reverse("audit_export"))
    with django_assert_num_queries(6 + 1 + _kinds_in_first_batch()):
        b"".join(client.get(reverse("audit_export")).streaming_content)
    assert response.status_code == 200


def _kinds_in_first_batch() -> int:
    rows = list(audit.audit_trail()[: audit.EXPORT_BATCH])
    return len({row[0] for row in rows})
