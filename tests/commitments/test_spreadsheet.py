"""The spreadsheet round-trip: a template to download, an upload dry-run first, then all or nothing; and
files that are refused whole (not a spreadsheet, macros, formulas, a zip bomb, too large, another period,
an older template) without changing anything."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from commitments import spreadsheet
from commitments.models import IndicatorValue
from commitments.spreadsheet import CellState, SpreadsheetRefused
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


def template(user, period, countries, language="en") -> bytes:
    return spreadsheet.template_build(user=user, period=period, countries=countries, language=language)


def filled(data: bytes, changes: dict[tuple[str, str], dict[str, object]]) -> bytes:
    """The template with cells changed as a person would in a spreadsheet program."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[spreadsheet.VALUES_SHEET]
    for row in sheet.iter_rows(min_row=2):
        key = (row[0].value, row[2].value)
        for column, value in changes.get(key, {}).items():
            row[spreadsheet.COLUMNS.index(column)].value = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def plan_of(user, data: bytes, **kwargs):
    return spreadsheet.import_plan(user=user, upload=spreadsheet.read_upload(data), **kwargs)


def state_of(plan, country: str, code: str) -> CellState:
    return next(row for row in plan.rows if (row.country_code, row.indicator_code) == (country, code)).state


class TestTheTemplate:
    def test_instructions_validation_current_values_and_a_hidden_version(
        self, staff_nl, nl, indicator, progress_period
    ):
        give_value(
            country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="12.5"
        )
        book = load_workbook(io.BytesIO(template(staff_nl, progress_period, [nl])))
        assert book.sheetnames[:2] == ["Instructions", "values"]
        assert book["meta"].sheet_state == "veryHidden"
        sheet = book["values"]
        rows = {(r[0].value, r[2].value): r for r in sheet.iter_rows(min_row=2)}
        assert rows[("NL", "VI-2")][7].value == 12.5 and rows[("NL", "VI-2")][10].value == 1
        assert sheet.column_dimensions["K"].hidden
        rules = {(v.type, v.formula1, v.formula2) for v in sheet.data_validations.dataValidation}
        assert ("whole", "0", "4") in rules  # maturity levels
        assert ("list", '"yes,no"', None) in rules  # yes/no
        assert ("decimal", "0", "100") in rules  # percentages

    def test_in_dutch(self, staff_nl, nl, progress_period):
        book = load_workbook(io.BytesIO(template(staff_nl, progress_period, [nl], language="nl")))
        assert book.sheetnames[0] == "Instructies"
        assert book["values"]["H1"].value == "Waarde"

    def test_the_download_page_gives_all_countries_the_user_may_edit(
        self, staff_nl, nl, progress_period, django_assert_num_queries
    ):
        client = signed_in(staff_nl)
        response = client.get(
            reverse("spreadsheet_download"), {"period": progress_period.pk, "language": "en"}
        )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        assert {row[0] for row in book["values"].iter_rows(min_row=2, values_only=True)} == {"NL"}
        assert (
            client.get(
                reverse("spreadsheet_download"),
                {"period": progress_period.pk, "country": "BE", "language": "en"},
            ).status_code
            == 400
        )


class TestTheDryRunAndTheImport:
    def test_each_row_says_new_changed_unchanged_invalid_or_conflict_and_nothing_is_written(
        self, staff_nl, nl, indicator, progress_period
    ):
        changed = give_value(
            country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="4"
        )
        conflict = give_value(
            country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="1"
        )
        data = filled(
            template(staff_nl, progress_period, [nl]),
            {
                ("NL", "VI-2"): {"value": 45},
                ("NL", "VI-5"): {"value": 5, "note": "Recounted"},
                ("NL", "VI-1"): {"value": "maybe"},
                ("NL", "RA-2"): {"value": 2},
            },
        )
        give_value(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number="3",
            expected_version=conflict.version,
        )  # someone changes it after the download
        plan = plan_of(staff_nl, data)
        assert state_of(plan, "NL", "VI-2") == CellState.NEW
        assert state_of(plan, "NL", "VI-5") == CellState.CHANGED
        assert state_of(plan, "NL", "VI-1") == CellState.INVALID
        assert "takes yes or no" in next(r.reason for r in plan.rows if r.indicator_code == "VI-1")
        assert state_of(plan, "NL", "RA-2") == CellState.CONFLICT
        assert state_of(plan, "NL", "VI-3") == CellState.UNCHANGED
        assert not plan.can_apply
        assert IndicatorValue.objects.get(pk=changed.pk).number_value == 4
        with pytest.raises(SpreadsheetRefused):
            spreadsheet.import_apply(user=staff_nl, upload=spreadsheet.read_upload(data))
        assert not IndicatorValue.objects.filter(
            country=nl, indicator__code="VI-2"
        ).exists()  # all or nothing

    def test_a_clean_file_is_imported_at_once_and_recorded_as_an_import_by_that_person(
        self, staff_nl, nl, indicator, progress_period
    ):
        value = give_value(
            country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="4"
        )
        data = filled(
            template(staff_nl, progress_period, [nl], language="nl"),
            {
                ("NL", "VI-2"): {"value": 45},
                ("NL", "VI-5"): {"value": "5,5"},
                ("NL", "VI-1"): {"value": "ja"},
            },
        )
        plan = spreadsheet.import_apply(user=staff_nl, upload=spreadsheet.read_upload(data), name="nl.xlsx")
        assert plan.counts["new"] == 2 and plan.counts["changed"] == 1
        value.refresh_from_db()
        assert value.number_value == Decimal("5.5") and value.version == 2
        assert IndicatorValue.objects.get(
            country=nl, indicator__code="VI-1", period=progress_period
        ).boolean_value
        record = value.history.order_by("-history_date").first()
        assert record.history_change_reason == "import: nl.xlsx" and record.history_user == staff_nl

    def test_rows_of_a_country_the_user_may_not_edit_are_invalid(
        self, staff_nl, staff_be, nl, be, progress_period
    ):
        data = filled(template(staff_be, progress_period, [be]), {("BE", "VI-2"): {"value": 3}})
        plan = plan_of(staff_nl, data)
        assert state_of(plan, "BE", "VI-2") == CellState.INVALID


class TestHostileFiles:
    def refused(self, user, data: bytes, code: str, name: str = "values.xlsx", **kwargs) -> None:
        with pytest.raises(SpreadsheetRefused) as refusal:
            plan_of(user, data, **kwargs) if not name.endswith("m") else spreadsheet.read_upload(
                data, name=name
            )
        assert refusal.value.code == code, refusal.value.messages
        assert not IndicatorValue.objects.exists()

    def test_not_a_spreadsheet(self, staff_nl):
        self.refused(staff_nl, b"%PDF-1.4 not a spreadsheet", "not_spreadsheet")
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("hello.txt", "a zip, but no workbook")
        self.refused(staff_nl, archive.getvalue(), "not_spreadsheet")

    def test_macros(self, staff_nl, nl, progress_period):
        data = template(staff_nl, progress_period, [nl])
        archive = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(archive, "w") as target:
            for item in source.infolist():
                target.writestr(item, source.read(item.filename))
            target.writestr("xl/vbaProject.bin", b"\x00" * 64)
        self.refused(staff_nl, archive.getvalue(), "macros")
        self.refused(staff_nl, data, "not_xlsx", name="values.xlsm")

    def test_formulas_in_value_cells(self, staff_nl, nl, progress_period):
        data = filled(template(staff_nl, progress_period, [nl]), {("NL", "VI-2"): {"value": "=1+1"}})
        self.refused(staff_nl, data, "formula")

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, staff_nl, nl, progress_period, settings):
        data = template(staff_nl, progress_period, [nl])
        archive = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(data)) as source,
            zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for item in source.infolist():
                target.writestr(item.filename, source.read(item.filename))
            target.writestr("xl/media/padding.xml", b"\x00" * (60 * 2**20))  # 60 MB of zeros: ~60 KB packed
        assert len(archive.getvalue()) < 2**20
        self.refused(staff_nl, archive.getvalue(), "zip_bomb")

    def test_too_large(self, staff_nl, nl, progress_period, settings):
        settings.SPREADSHEET_MAX_BYTES = 1000
        self.refused(staff_nl, template(staff_nl, progress_period, [nl]), "too_large")

    def test_another_period_or_an_older_template(
        self, staff_nl, nl, baseline_period, progress_period, monkeypatch
    ):
        data = template(staff_nl, baseline_period, [nl])
        self.refused(staff_nl, data, "wrong_period", period=progress_period)
        # The template module writes the format; the reading checks it against the current one.
        monkeypatch.setattr(spreadsheet.template, "TEMPLATE_FORMAT", "alliance-values-1")
        old = template(staff_nl, progress_period, [nl])
        monkeypatch.undo()
        self.refused(staff_nl, old, "stale_template")


class TestTheUploadPageTheApiAndTheCommand:
    def test_upload_shows_the_dry_run_and_the_import_happens_on_confirmation(
        self, staff_nl, nl, progress_period
    ):
        client = signed_in(staff_nl)
        data = filled(template(staff_nl, progress_period, [nl]), {("NL", "VI-2"): {"value": 45}})
        page = client.post(reverse("spreadsheet_upload"), {"file": _named(data, "nl.xlsx")})
        assert page.status_code == 200
        text = page.content.decode()
        assert "Dry run: 2014 progress" in text and "New: 1" in text
        assert not IndicatorValue.objects.exists()
        done = client.post(
            reverse("spreadsheet_upload"),
            {"token": page.context["token"], "filename": "nl.xlsx"},
            follow=True,
        )
        assert "1 values imported" in done.content.decode()
        assert IndicatorValue.objects.get(country=nl, indicator__code="VI-2").number_value == 45

    def test_a_refused_file_is_said_on_the_page(self, staff_nl):
        page = signed_in(staff_nl).post(reverse("spreadsheet_upload"), {"file": _named(b"hello", "x.xlsx")})
        assert page.status_code == 400
        assert "This is not an XLSX spreadsheet" in page.content.decode()

    def test_the_api_dry_runs_then_imports(self, staff_nl, nl, progress_period):
        client = signed_in(staff_nl)
        data = filled(template(staff_nl, progress_period, [nl]), {("NL", "VI-2"): {"value": 45}})
        dry = client.post("/api/v1/imports/", {"file": _named(data, "nl.xlsx")})
        assert dry.status_code == 200, dry.content
        assert dry.json()["counts"]["new"] == 1 and dry.json()["dry_run"] is True
        assert not IndicatorValue.objects.exists()
        done = client.post("/api/v1/imports/", {"file": _named(data, "nl.xlsx"), "dry_run": "false"})
        assert done.status_code == 200 and done.json()["dry_run"] is False
        assert IndicatorValue.objects.get(country=nl, indicator__code="VI-2").number_value == 45
        refused = client.post("/api/v1/imports/", {"file": _named(b"nope", "x.xlsx")})
        assert refused.status_code == 400 and "not an XLSX" in refused.content.decode()

    def test_the_command(self, staff_nl, nl, progress_period, tmp_path, capsys):
        path = tmp_path / "nl.xlsx"
        path.write_bytes(filled(template(staff_nl, progress_period, [nl]), {("NL", "VI-2"): {"value": 45}}))
        call_command("import_values", str(path), "--user", staff_nl.username, "--dry-run")
        assert "row " in capsys.readouterr().out and not IndicatorValue.objects.exists()
        call_command("import_values", str(path), "--user", staff_nl.username)
        assert IndicatorValue.objects.get(country=nl, indicator__code="VI-2").number_value == 45
        with pytest.raises(CommandError, match="not an XLSX"):
            bad = tmp_path / "bad.xlsx"
            bad.write_bytes(b"nope")
            call_command("import_values", str(bad), "--user", staff_nl.username)


class TestNoteChangesInTheDryRun:
    """A note that changes is shown beside the value it belongs to, on the page, in the API and in the
    command; a note left as it was is not."""

    @pytest.fixture
    def noted(self, staff_nl, nl, indicator, progress_period):
        for code, number, note in (("VI-2", "240", "Ministry figures"), ("VI-5", "4", "Full-time staff")):
            give_value(
                country=nl,
                indicator=indicator(code),
                period=progress_period,
                user=staff_nl,
                number=number,
                note=note,
            )
        return filled(
            template(staff_nl, progress_period, [nl]),
            {
                ("NL", "VI-2"): {"note": "Ministry figures, revised"},  # the note alone changes
                ("NL", "VI-5"): {"value": 5, "note": None},  # the value changes, the note is removed
                ("NL", "RA-2"): {"value": 3, "note": "Police statistics"},  # new, with a note
            },
        )

    def test_the_plan_has_the_note_now_and_in_the_file(self, staff_nl, noted):
        plan = plan_of(staff_nl, noted)
        rows = {row.indicator_code: row for row in plan.rows}
        assert rows["VI-2"].state == CellState.CHANGED
        assert (rows["VI-2"].before, rows["VI-2"].after) == ("240", "240")
        assert (rows["VI-2"].note_before, rows["VI-2"].note_after) == (
            "Ministry figures",
            "Ministry figures, revised",
        )
        assert (rows["VI-5"].note_before, rows["VI-5"].note_after, rows["VI-5"].note_changed) == (
            "Full-time staff",
            "",
            True,
        )
        assert (rows["RA-2"].state, rows["RA-2"].note_after) == (CellState.NEW, "Police statistics")
        assert not rows["VI-3"].note_changed

    def test_the_page_shows_note_changes_beside_value_changes(self, staff_nl, noted):
        page = signed_in(staff_nl).post(reverse("spreadsheet_upload"), {"file": _named(noted, "nl.xlsx")})
        assert page.status_code == 200
        text = page.content.decode()
        assert text.count('class="dry-run-note"') == 6  # three rows, now and from the file
        assert "<ins>Ministry figures, revised</ins>" in text
        assert "<del>Full-time staff</del> (removed)" in text
        assert "<ins>Police statistics</ins>" in text

    def test_the_page_in_dutch(self, staff_nl, noted):
        client = signed_in(staff_nl)
        client.post(reverse("set_language"), {"language": "nl", "next": "/"})
        page = client.post(reverse("spreadsheet_upload"), {"file": _named(noted, "nl.xlsx")})
        text = page.content.decode()
        assert "<h1>Proefrun: " in text
        assert '<span class="muted">Toelichting:</span>' in text
        assert "<del>Full-time staff</del> (verwijderd)" in text

    def test_the_api_and_the_command_give_the_notes(self, staff_nl, noted, tmp_path, capsys):
        dry = signed_in(staff_nl).post("/api/v1/imports/", {"file": _named(noted, "nl.xlsx")})
        rows = {row["indicator"]: row for row in dry.json()["rows"]}
        assert (rows["VI-2"]["note_before"], rows["VI-2"]["note_after"]) == (
            "Ministry figures",
            "Ministry figures, revised",
        )
        path = tmp_path / "nl.xlsx"
        path.write_bytes(noted)
        call_command("import_values", str(path), "--user", staff_nl.username, "--dry-run")
        out = capsys.readouterr().out
        assert "note: 'Ministry figures' -> 'Ministry figures, revised'" in out
        assert "note: 'Full-time staff' -> '—'" in out


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
