"""The spreadsheet round-trip's pages: download a template, upload it, see the dry run, then import.

Between the dry run and the import the uploaded file waits in the storage under a random name; the page
carries a signed token naming it (and its owner), valid for an hour. The import reads the file again and
plans again: what changed since the dry run is refused, not imported blindly.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import access, spreadsheet
from .models import Country, ReportingPeriod

TOKEN_SALT = "commitments.spreadsheet.upload"
TOKEN_MAX_AGE = 3600


def _may_use(user) -> bool:
    return access.is_staff_member(user) or access.can_review(user)


class TemplateForm(forms.Form):
    period = forms.ModelChoiceField(
        label=gettext_lazy("Period"),
        queryset=ReportingPeriod.objects.filter(is_open=True).order_by("-starts_on"),
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the template"),
        choices=[("en", gettext_lazy("English")), ("nl", gettext_lazy("Dutch"))],
    )

    def __init__(self, *args, countries: list[Country], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.countries = {country.code: country for country in countries}
        self.fields["country"].choices = [("", _("All countries I may edit"))] + [
            (country.code, country.name) for country in countries
        ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _editable(user) -> list[Country]:
    countries = access.editable_countries(
        user, Country.objects.exclude(membership=Country.Membership.OBSERVER)
    )
    return sorted(countries, key=lambda country: country.sort_key)


@login_required
def spreadsheet_download(request: HttpRequest) -> HttpResponse:
    """The template of a period for one country, or every country the user may edit (XLSX)."""
    if not _may_use(request.user):
        raise PermissionDenied
    countries = _editable(request.user)
    language = (get_language() or "en")[:2]
    form = TemplateForm(request.GET or None, countries=countries, initial={"language": language})
    if request.GET and form.is_valid():
        code = form.cleaned_data["country"]
        chosen = [form.countries[code]] if code else countries
        period = form.cleaned_data["period"]
        data = spreadsheet.template_build(
            user=request.user, period=period, countries=chosen, language=form.cleaned_data["language"]
        )
        name = f"alliance-values-{period.label}-{code or 'all'}.xlsx".replace(" ", "-")
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request, "commitments/spreadsheet_download.html", {"form": form}, status=400 if form.errors else 200
    )


def _store(data: bytes, user) -> str:
    stored = default_storage.save(f"imports/{secrets.token_hex(16)}.xlsx", ContentFile(data))
    return signing.dumps({"name": stored, "user": user.pk}, salt=TOKEN_SALT)


def _stored(token: str, user) -> tuple[str, bytes] | None:
    try:
        claim = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if claim.get("user") != user.pk or not default_storage.exists(claim.get("name", "")):
        return None
    with default_storage.open(claim["name"], "rb") as handle:
        return claim["name"], handle.read()


@login_required
def spreadsheet_upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in template: a dry run first (what would change, cell by cell), then the import."""
    if not _may_use(request.user):
        raise PermissionDenied
    form = UploadForm()
    if request.method == "POST" and request.POST.get("token"):
        found = _stored(request.POST["token"], request.user)
        if found is None:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect("spreadsheet_upload")
        stored_name, data = found
        original = request.POST.get("filename", "")[:60]
        try:
            upload = spreadsheet.read_upload(data)
            plan = spreadsheet.import_apply(user=request.user, upload=upload, name=original)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("spreadsheet_upload")
        default_storage.delete(stored_name)
        count = len(plan.to_write)
        messages.success(
            request,
            _("%(count)d values imported from the spreadsheet; they are drafts until submitted.")
            % {"count": count},
        )
        return redirect("spreadsheet_upload")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            if upload_file.size > spreadsheet.max_bytes():
                form.add_error(
                    "file",
                    _("The file is larger than %(mb)d MB; nothing was imported.")
                    % {"mb": spreadsheet.max_bytes() // 2**20},
                )
            else:
                data = upload_file.read()
                try:
                    upload = spreadsheet.read_upload(data, name=upload_file.name)
                    plan = spreadsheet.import_plan(user=request.user, upload=upload)
                except ValidationError as error:
                    form.add_error("file", error.messages)
                else:
                    return render(
                        request,
                        "commitments/spreadsheet_dry_run.html",
                        {
                            "plan": plan,
                            "token": _store(data, request.user) if plan.can_apply else "",
                            "filename": upload_file.name,
                            "shown": [row for row in plan.rows if row.state != "unchanged"],
                        },
                    )
    return render(
        request, "commitments/spreadsheet_upload.html", {"form": form}, status=400 if form.errors else 200
    )
