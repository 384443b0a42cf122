"""The administrators' audit view: who changed what, and when, across every model that keeps history.

Every model with django-simple-history's ``HistoricalRecords`` is found from its registry, so a model
that starts keeping history later (partner tokens, reports) appears here without a change to this file.
The listing is one UNION ALL over the history tables, ordered and paginated in PostgreSQL; the page's
records are then loaded with one query per kind of record on the page (together with the versions
before them, to say which fields changed). A page therefore costs a fixed number of queries, whatever
its rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import BigIntegerField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from commitments.access import Role, has_role
from commitments.models import Country

PAGE_SIZE = 50
ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


# --------------------------------------------------------------------------------------------------
# Where history is kept
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySource:
    """One model that keeps history, and how to read its history table."""

    index: int
    model: type[models.Model]
    history_model: type[models.Model]
    pk_name: str
    country_path: str | None  # lookup on the history model that gives the country's id
    related: tuple[str, ...]  # what to join so that describing a record needs no further query

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _country_path(model: type[models.Model], history_model: type[models.Model]) -> str | None:
    """The country a record belongs to: the row itself, a foreign key, or one hop further."""
    if model is Country:
        return model._meta.pk.attname
    hops = _foreign_keys(model)
    for fk in hops:
        if fk.related_model is Country:
            return fk.attname
    for fk in hops:
        for further in _foreign_keys(fk.related_model):
            if further.related_model is Country:
                return f"{fk.name}__{further.name}"
    return None


def _related_paths(history_model: type[models.Model]) -> tuple[str, ...]:
    """Foreign keys two hops deep, enough for the ``__str__`` of every model we have (and for the diffs)."""
    paths: list[str] = []
    for fk in _foreign_keys(history_model):
        if fk.name == "history_user":
            continue  # users are looked up once for the whole page
        paths.append(fk.name)
        paths.extend(f"{fk.name}__{further.name}" for further in _foreign_keys(fk.related_model))
    return tuple(paths)


@functools.cache
def history_sources() -> tuple[HistorySource, ...]:
    """Every model registered with django-simple-history, in a stable order."""
    models_with_history = sorted(
        {m for m in registered_models.values() if hasattr(m._meta, "simple_history_manager_attribute")},
        key=lambda m: m._meta.label,
    )
    sources = []
    for index, model in enumerate(models_with_history):
        history_model = get_history_model_for_model(model)
        sources.append(
            HistorySource(
                index=index,
                model=model,
                history_model=history_model,
                pk_name=model._meta.pk.attname,
                country_path=_country_path(model, history_model),
                related=_related_paths(history_model),
            )
        )
    return tuple(sources)


# --------------------------------------------------------------------------------------------------
# Reading the audit trail
# --------------------------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class AuditEntry:
    """One saved version of one record: who, when, what happened, why, and which fields changed."""

    when: dt.datetime
    who: Any  # the user, None for the system (seeds, commands) or for an account deleted since
    who_id: int | None
    source: HistorySource
    record: Any
    action: str
    reason: str
    country: Country | None
    description: str
    changes: list[Change] = field(default_factory=list)


def _branch(
    source: HistorySource,
    *,
    user_id: int | None,
    country_id: int | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> QuerySet | None:
    """One history table's part of the UNION: the same columns in the same order for every table."""
    queryset = source.history_model._default_manager.order_by()
    if country_id is not None:
        if source.country_path is None:
            return None
        queryset = queryset.filter(**{source.country_path: country_id})
    if user_id is not None:
        queryset = queryset.filter(history_user_id=user_id)
    if start is not None:
        queryset = queryset.filter(history_date__gte=start)
    if end is not None:
        queryset = queryset.filter(history_date__lt=end)
    # A typed NULL: PostgreSQL takes a UNION's column types from its first branch.
    country = F(source.country_path) if source.country_path else Cast(Value(None), BigIntegerField())
    return queryset.annotate(
        a_source=Value(source.index, output_field=IntegerField()),
        a_id=F("history_id"),
        a_date=F("history_date"),
        a_country=country,
    ).values_list("a_source", "a_id", "a_date", "a_country")


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the site's time zone: dates in filters are local dates."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_trail(
    *,
    user_id: int | None = None,
    country_id: int | None = None,
    source_index: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet | list:
    """The versions that match, newest first: (source index, history id, date, country id) rows.

    A queryset (one UNION ALL) to paginate; an empty list when no history table can match.
    """
    start = _midnight(date_from) if date_from else None
    end = _midnight(date_to + dt.timedelta(days=1)) if date_to else None
    chosen = [s for s in history_sources() if source_index is None or s.index == source_index]
    branches = [
        branch
        for source in chosen
        if (branch := _branch(source, user_id=user_id, country_id=country_id, start=start, end=end))
        is not None
    ]
    if not branches:
        return []
    first, *rest = branches
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-a_date", "-a_source", "-a_id")


def _records_with_previous(source: HistorySource, history_ids: list[int]) -> dict[int, tuple[Any, Any]]:
    """The page's records of one source, each with the version of the same row before it: one query."""
    history = source.history_model._default_manager
    previous_id = Subquery(
        history.filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
            **{source.pk_name: OuterRef(source.pk_name)},
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    previous_ids = (
        history.filter(history_id__in=history_ids).annotate(previous=previous_id).values("previous")
    )
    versions_qs = history.filter(Q(history_id__in=history_ids) | Q(history_id__in=previous_ids))
    if source.related:  # select_related() without names is deprecated: only name what is there
        versions_qs = versions_qs.select_related(*source.related)
    loaded = list(versions_qs)
    by_row: dict[Any, list[Any]] = defaultdict(list)
    for record in loaded:
        by_row[getattr(record, source.pk_name)].append(record)
    wanted = set(history_ids)
    pairs: dict[int, tuple[Any, Any]] = {}
    for versions in by_row.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        for before, record in zip([None, *versions], versions, strict=False):
            if record.history_id in wanted:
                pairs[record.history_id] = (record, before)
    return pairs


def _shown(record: Any, model_field: models.Field) -> str:
    """A field's value in a record, as people read it."""
    if isinstance(model_field, models.ForeignKey):
        raw = getattr(record, model_field.attname)
        if raw is None:
            return "—"
        try:
            related = getattr(record, model_field.name)
        except ObjectDoesNotExist:
            related = None
        return str(related) if related is not None else _("#%(id)s (deleted)") % {"id": raw}
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _audited_fields(source: HistorySource) -> list[models.Field]:
    """The fields a person changes: not the key, not timestamps Django sets, not hidden ones (key hashes),
    and only those the history keeps (a model may leave some out, as tokens do their last use)."""
    kept = {f.attname for f in source.history_model._meta.concrete_fields}
    own = [
        f
        for f in source.model._meta.concrete_fields
        if f.editable
        and f.attname in kept
        and not f.primary_key
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]
    # What only the history keeps, such as a user's roles at the time (audit/models.py).
    names = {f.attname for f in source.model._meta.concrete_fields}
    extra = [
        f
        for f in source.history_model._meta.concrete_fields
        if f.attname not in names and not f.attname.startswith("history_") and not f.is_relation
    ]
    return own + extra


def _changes(source: HistorySource, record: Any, before: Any) -> list[Change]:
    if record.history_type == "-":
        return []
    changes = []
    for model_field in _audited_fields(source):
        after = _shown(record, model_field)
        earlier = _shown(before, model_field) if before is not None else "—"
        if before is None and after == "—":
            continue
        name = model_field.attname
        if before is not None and getattr(before, name) == getattr(record, name):
            continue
        changes.append(Change(field=str(model_field.verbose_name), before=earlier, after=after))
    return changes


def _describe(source: HistorySource, record: Any) -> str:
    """The record as its model names it, built from the joined rows (no query)."""
    fallback = f"{source.label} #{getattr(record, source.pk_name)}"
    # Not ``record.instance``: for a model whose history leaves fields out (users, tokens, devices) that
    # reads the live row's other fields, one query per record. The description needs only what is kept.
    instance = source.model(
        **{f.attname: getattr(record, f.attname) for f in source.history_model.tracked_fields}
    )
    for fk in _foreign_keys(source.model):
        history_fk = record._meta.get_field(fk.name)
        if history_fk.is_cached(record):
            related = history_fk.get_cached_value(record)
            if related is None and getattr(record, fk.attname) is not None:
                return fallback  # a row it points to was deleted since
            fk.set_cached_value(instance, related)
    try:
        return str(instance)
    except (AttributeError, ObjectDoesNotExist):
        return fallback


def audit_entries(
    *, rows: list[tuple], users: dict[int, Any], countries: dict[int, Country]
) -> list[AuditEntry]:
    """Turn a page of ``audit_trail`` rows into entries; one query per kind of record on the page."""
    sources = history_sources()
    wanted: dict[int, list[int]] = defaultdict(list)
    for source_index, history_id, _date, _country in rows:
        wanted[source_index].append(history_id)
    loaded = {index: _records_with_previous(sources[index], ids) for index, ids in wanted.items()}
    entries = []
    for source_index, history_id, date, country_id in rows:
        source = sources[source_index]
        record, before = loaded[source_index][history_id]
        entries.append(
            AuditEntry(
                when=date,
                who=users.get(record.history_user_id) if record.history_user_id else None,
                who_id=record.history_user_id,
                source=source,
                record=record,
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                country=countries.get(country_id) if country_id is not None else None,
                description=_describe(source, record),
                changes=_changes(source, record, before),
            )
        )
    return entries


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------


def _choice(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


def _day(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AuditFilterForm(forms.Form):
    """The audit view's filters; the choices come from lists the view has loaded (no query per field)."""

    user = _choice(gettext_lazy("Who"))
    country = _choice(gettext_lazy("Country"))
    kind = _choice(gettext_lazy("What"))
    date_from = _day(gettext_lazy("From"))
    date_to = _day(gettext_lazy("To"))

    def __init__(self, *args: Any, users: list, countries: list[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("Everyone"))]
        self.fields["user"].choices = everyone + [(u.pk, u.get_username()) for u in users]
        self.fields["country"].choices = [("", _("All countries"))] + [(c.pk, str(c)) for c in countries]
        self.fields["kind"].choices = [("", _("Everything"))] + sorted(
            ((s.index, s.label.capitalize()) for s in history_sources()), key=lambda choice: choice[1]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."), code="date_order")
        return cleaned


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet | list, list, list[Country]]:
    """The filter form, the matching trail, and the people and countries it names."""
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    users = list(get_user_model()._default_manager.order_by("username"))
    countries = sorted(Country.objects.all(), key=lambda c: c.name)
    form = AuditFilterForm(request.GET or None, users=users, countries=countries)
    filters = form.cleaned_data if form.is_valid() else {}
    trail = audit_trail(
        user_id=filters.get("user"),
        country_id=filters.get("country"),
        source_index=filters.get("kind"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return form, trail, users, countries


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who changed what and when: administrators only."""
    form, trail, users, countries = _filtered(request)
    page = Paginator(trail, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = audit_entries(
        rows=list(page.object_list),
        users={u.pk: u for u in users},
        countries={c.pk: c for c in countries},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode(),
         "export_query": request.GET.urlencode()},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------------------------------
# The export for an outside auditor
# --------------------------------------------------------------------------------------------------

EXPORT_BATCH = 500
EXPORT_COLUMNS = [
    "when_utc", "who", "who_id", "kind", "record", "record_id", "country", "action", "reason", "changes",
    "history_table", "history_id", "seal_seq", "seal_content_hash", "seal_chain_hash",
]


class _Echo:
    """A file that hands back what is written to it, for csv.writer inside a streamed response."""

    def write(self, value: str) -> str:
        return value


def _seals(rows: list[tuple]) -> dict[tuple[str, int], tuple[int, str, str]]:
    """The audit records sealing a batch of history rows: one query."""
    from audit.models import AuditRecord

    sources = history_sources()
    wanted: dict[str, list[int]] = defaultdict(list)
    for source_index, history_id, _date, _country in rows:
        wanted[sources[source_index].history_model._meta.db_table].append(history_id)
    condition = Q()
    for table, ids in wanted.items():
        condition |= Q(table_name=table, history_id__in=ids)
    return {
        (table, history_id): (seq, content, chain)
        for table, history_id, seq, content, chain in AuditRecord.objects.filter(condition).values_list(
            "table_name", "history_id", "seq", "content_hash", "chain_hash"
        )
    }


def _export_rows(trail, users: dict[int, Any], countries: dict[int, Country]):
    from commitments.api.renderers import neutralise

    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # a byte order mark: spreadsheets read UTF-8 right
    versions = trail if isinstance(trail, list) else trail.iterator(chunk_size=EXPORT_BATCH)
    for batch in itertools.batched(versions, EXPORT_BATCH):
        rows = list(batch)
        seals = _seals(rows)
        for entry in audit_entries(rows=rows, users=users, countries=countries):
            table = entry.source.history_model._meta.db_table
            seal = seals.get((table, entry.record.history_id), ("", "", ""))
            who = entry.who.get_username() if entry.who else ""
            cells = [
                entry.when.astimezone(dt.UTC).isoformat(),
                who,
                entry.who_id or "",
                entry.source.model._meta.label,
                entry.description,
                getattr(entry.record, entry.source.pk_name),
                entry.country.code if entry.country else "",
                entry.action,
                entry.reason,
                "\n".join(f"{c.field}: {c.before} → {c.after}" for c in entry.changes),
                table,
                entry.record.history_id,
                *seal,
            ]
            yield writer.writerow([neutralise(str(cell)) for cell in cells])


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The audit trail as CSV (the page's filters apply, all pages), for an outside auditor.

    Each line carries the seal of its history row (sequence, content and chain hash: see audit/sealing.py),
    so that an auditor can hold the export against a later one. Cells a spreadsheet would run as formulas
    are neutralised as in the API's CSV. Administrators only.
    """
    form, trail, users, countries = _filtered(request)
    if form.errors:
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _export_rows(trail, {u.pk: u for u in users}, {c.pk: c for c in countries}),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
