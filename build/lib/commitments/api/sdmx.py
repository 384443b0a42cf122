"""The alliance's indicator values as SDMX, for national statistics offices and Open SDG sites.

- ``GET /api/v1/sdmx/structure/``: an SDMX-ML 2.1 structure message: the code lists (countries, goals,
  indicators, reporting periods, units), the concepts, the data structure definition and the dataflow
  ``ALLIANCE_MONITOR:AM_VALUES(1.0)``.
- ``GET /api/v1/sdmx/data/``: the approved observations as SDMX-CSV 2.0 (``?format=sdmx-csv``, the
  default) or SDMX-JSON 1.0 (``?format=sdmx-json``), or by ``Accept``; filtered by ``startPeriod`` /
  ``endPeriod`` (a year, ``2014-Q2``, ``2014-S1``, ``2014-06`` or a date: the reporting periods that
  overlap it) and ``updatedAfter`` (an ISO 8601 time with its offset).

The key of an observation is country (REF_AREA), INDICATOR, REPORTING_PERIOD and TIME_PERIOD, the
reporting period's dates as an SDMX time range (``2012-12-05/P147D``: start and length). Numbers,
percentages and maturity levels are OBS_VALUE as they are; yes/no is 1 or 0 (unit YES_NO). Text
answers and values left empty are not observations: they are in the API's own lists.

What a reader sees is what the API shows them, approved values only: a token limited to some countries
reads those countries' data and code lists only. The data are streamed from a server-side cursor in the
same way as the values' CSV export (export.py), so a whole dataset costs flat memory.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, F, Func, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from commitments.models import Country, Goal, Indicator, IndicatorValue, ReportingPeriod, Status

from .export import CHUNK
from .visibility import Viewer, viewer_for

AGENCY = "ALLIANCE_MONITOR"
VERSION = "1.0"
DATAFLOW = "AM_VALUES"
DSD = "DSD_AM_VALUES"
CONCEPTS = "CS_AM"
STRUCTURE_ID = f"{AGENCY}:{DATAFLOW}({VERSION})"
DIMENSIONS = ("REF_AREA", "INDICATOR", "REPORTING_PERIOD", "TIME_PERIOD")
CODELISTS = {  # dimension or attribute -> its code list
    "REF_AREA": "CL_REF_AREA",
    "INDICATOR": "CL_INDICATOR",
    "REPORTING_PERIOD": "CL_REPORTING_PERIOD",
    "UNIT_MEASURE": "CL_UNIT_MEASURE",
    "GOAL": "CL_GOAL",
}
CONCEPT_NAMES = {
    "REF_AREA": "Country",
    "INDICATOR": "Indicator",
    "REPORTING_PERIOD": "Reporting period",
    "TIME_PERIOD": "Time period",
    "OBS_VALUE": "Observation value",
    "UNIT_MEASURE": "Unit of measure",
    "GOAL": "Goal",
}
NUMERIC_TYPES = (Indicator.ValueType.NUMBER, Indicator.ValueType.PERCENTAGE, Indicator.ValueType.MATURITY)

STRUCTURE_MEDIA_TYPE = "application/vnd.sdmx.structure+xml; version=2.1"
CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
JSON_MEDIA_TYPE = "application/vnd.sdmx.data+json; version=1.0.0"

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


# --- codes -------------------------------------------------------------------------------------------


def sdmx_id(code: str) -> str:
    """An SDMX identifier ([A-Za-z0-9_@$-]) for one of our codes: a dot (allowed in indicator codes)
    becomes an underscore."""
    return re.sub(r"[^A-Za-z0-9_@$-]", "_", code)


def period_id(period_pk: int) -> str:
    """Reporting periods are coded by their id: a relabelled period keeps its code."""
    return f"RP{period_pk}"


def time_range(starts_on: dt.date, ends_on: dt.date) -> str:
    """The period's dates as an SDMX time range: the first day and the length in days."""
    return f"{starts_on.isoformat()}/P{(ends_on - starts_on).days + 1}D"


def unit_codes(indicators: list[Indicator]) -> dict[int, tuple[str, str]]:
    """{indicator id: (unit code, unit name)}: the indicator's unit as a code (``victims/year`` is
    VICTIMS_YEAR, ``%`` is PERCENT), or its value type's when it names none; the same unit, the same code."""
    fallback = {
        Indicator.ValueType.BOOLEAN: "1 = yes, 0 = no",
        Indicator.ValueType.MATURITY: "maturity level 0-4",
        Indicator.ValueType.PERCENTAGE: "%",
    }
    codes = {
        "1 = yes, 0 = no": "YES_NO",
        "maturity level 0-4": "MATURITY_LEVEL",
        "%": "PERCENT",
        "number": "NUMBER",
    }
    units = {}
    for indicator in sorted(indicators, key=lambda item: item.code):  # first come, first coded
        name = indicator.unit.strip()
        if indicator.value_type == Indicator.ValueType.BOOLEAN or not name:
            name = fallback.get(indicator.value_type, "number")
        if name not in codes:
            base = re.sub(r"[^A-Za-z0-9]+", "_", name.replace("%", " percent ")).strip("_").upper() or "UNIT"
            code, number = base, 1
            while code in codes.values():  # two spellings of one code: FTE and fte
                number += 1
                code = f"{base}_{number}"
            codes[name] = code
        units[indicator.pk] = (codes[name], name)
    return units


@dataclass
class CodeLists:
    """What the structure message lists and the data messages code by: the reader's view of it."""

    countries: list[Country]
    goals: list[Goal]
    indicators: list[Indicator]
    periods: list[ReportingPeriod]
    units: dict[int, tuple[str, str]]


def code_lists(countries: QuerySet) -> CodeLists:
    indicators = list(Indicator.objects.select_related("goal").order_by("code"))
    return CodeLists(
        countries=list(countries.order_by("code")),
        goals=list(Goal.objects.order_by("order")),
        indicators=indicators,
        periods=list(ReportingPeriod.objects.order_by("starts_on", "pk")),
        units=unit_codes(indicators),
    )


# --- the structure message ----------------------------------------------------------------------------


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def _names(parent: ET.Element, english: str, dutch: str = "") -> None:
    ET.SubElement(parent, _q("com", "Name"), {XML_LANG: "en"}).text = english
    if dutch and dutch != english:
        ET.SubElement(parent, _q("com", "Name"), {XML_LANG: "nl"}).text = dutch


def _maintainable(parent: ET.Element, tag: str, identifier: str, name: str) -> ET.Element:
    element = ET.SubElement(
        parent, _q("str", tag), {"id": identifier, "agencyID": AGENCY, "version": VERSION, "isFinal": "false"}
    )
    _names(element, name)
    return element


def _ref(parent: ET.Element, **attributes: str) -> None:
    ET.SubElement(parent, "Ref", {"agencyID": AGENCY, **attributes})  # Ref is unqualified in SDMX-ML 2.1


def _header(root: ET.Element) -> None:
    header = ET.SubElement(root, _q("mes", "Header"))
    ET.SubElement(header, _q("mes", "ID")).text = f"AM{uuid.uuid4().hex[:16].upper()}"
    ET.SubElement(header, _q("mes", "Test")).text = "false"
    ET.SubElement(header, _q("mes", "Prepared")).text = timezone.now().replace(microsecond=0).isoformat()
    ET.SubElement(header, _q("mes", "Sender"), {"id": AGENCY})


def structure_message(lists: CodeLists) -> bytes:
    """The SDMX-ML 2.1 structure message: dataflow, code lists, concepts and the DSD."""
    root = ET.Element(_q("mes", "Structure"))
    _header(root)
    structures = ET.SubElement(root, _q("mes", "Structures"))
    # The schema's order: dataflows, code lists, concepts, data structures.
    flows = ET.SubElement(structures, _q("str", "Dataflows"))
    flow = _maintainable(flows, "Dataflow", DATAFLOW, "Alliance Monitor: indicator values")
    _ref(ET.SubElement(flow, _q("str", "Structure")), id=DSD, version=VERSION, **{"class": "DataStructure"},
         package="datastructure")  # fmt: skip

    codelists = ET.SubElement(structures, _q("str", "Codelists"))

    def codelist(identifier: str, name: str, codes: list[tuple[str, str, str]]) -> None:
        element = _maintainable(codelists, "Codelist", identifier, name)
        for code, english, dutch in codes:
            _names(ET.SubElement(element, _q("str", "Code"), {"id": code}), english, dutch)

    codelist("CL_GOAL", "Goals", [(sdmx_id(goal.code), goal.title_en, goal.title_nl) for goal in lists.goals])
    codelist(
        "CL_INDICATOR",
        "Indicators",
        [(sdmx_id(item.code), item.name_en, item.name_nl) for item in lists.indicators],
    )
    codelist(
        "CL_REF_AREA", "Countries", [(item.code, item.name_en, item.name_nl) for item in lists.countries]
    )
    codelist(
        "CL_REPORTING_PERIOD",
        "Reporting periods",
        [
            (period_id(item.pk), f"{item.label} ({item.starts_on} to {item.ends_on})", "")
            for item in lists.periods
        ],
    )
    units = sorted(set(lists.units.values()))
    codelist("CL_UNIT_MEASURE", "Units of measure", [(code, name, "") for code, name in units])

    concepts = ET.SubElement(structures, _q("str", "Concepts"))
    scheme = _maintainable(concepts, "ConceptScheme", CONCEPTS, "Alliance Monitor concepts")
    for concept, name in CONCEPT_NAMES.items():
        _names(ET.SubElement(scheme, _q("str", "Concept"), {"id": concept}), name)

    def concept_identity(component: ET.Element, concept: str) -> None:
        _ref(
            ET.SubElement(component, _q("str", "ConceptIdentity")),
            id=concept,
            maintainableParentID=CONCEPTS,
            maintainableParentVersion=VERSION,
            package="conceptscheme",
            **{"class": "Concept"},
        )

    def enumeration(component: ET.Element, concept: str) -> None:
        representation = ET.SubElement(component, _q("str", "LocalRepresentation"))
        _ref(
            ET.SubElement(representation, _q("str", "Enumeration")),
            id=CODELISTS[concept],
            version=VERSION,
            package="codelist",
            **{"class": "Codelist"},
        )

    dsds = ET.SubElement(structures, _q("str", "DataStructures"))
    dsd = _maintainable(dsds, "DataStructure", DSD, "Alliance Monitor: indicator values")
    components = ET.SubElement(dsd, _q("str", "DataStructureComponents"))
    dimensions = ET.SubElement(components, _q("str", "DimensionList"), {"id": "DimensionDescriptor"})
    for position, concept in enumerate(DIMENSIONS, start=1):
        tag = "TimeDimension" if concept == "TIME_PERIOD" else "Dimension"
        dimension = ET.SubElement(dimensions, _q("str", tag), {"id": concept, "position": str(position)})
        concept_identity(dimension, concept)
        if concept == "TIME_PERIOD":
            representation = ET.SubElement(dimension, _q("str", "LocalRepresentation"))
            ET.SubElement(representation, _q("str", "TextFormat"), {"textType": "ObservationalTimePeriod"})
        else:
            enumeration(dimension, concept)
    attributes = ET.SubElement(components, _q("str", "AttributeList"), {"id": "AttributeDescriptor"})
    for concept, related in (("UNIT_MEASURE", "INDICATOR"), ("GOAL", "INDICATOR")):
        attribute = ET.SubElement(
            attributes, _q("str", "Attribute"), {"id": concept, "assignmentStatus": "Mandatory"}
        )
        concept_identity(attribute, concept)
        enumeration(attribute, concept)
        relationship = ET.SubElement(attribute, _q("str", "AttributeRelationship"))
        ET.SubElement(relationship, _q("str", "Dimension")).text = related
    measures = ET.SubElement(components, _q("str", "MeasureList"), {"id": "MeasureDescriptor"})
    concept_identity(ET.SubElement(measures, _q("str", "PrimaryMeasure"), {"id": "OBS_VALUE"}), "OBS_VALUE")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- the data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataQuery:
    """The data request's parameters, checked."""

    start: dt.date | None = None
    end: dt.date | None = None
    updated_after: dt.datetime | None = None


PERIOD_FORMS = (
    (re.compile(r"(\d{4})"), lambda y: (dt.date(int(y), 1, 1), dt.date(int(y), 12, 31))),
    (re.compile(r"(\d{4})-A1"), lambda y: (dt.date(int(y), 1, 1), dt.date(int(y), 12, 31))),
    (re.compile(r"(\d{4})-S([12])"), lambda y, s: _months(int(y), 6 * (int(s) - 1) + 1, 6)),
    (re.compile(r"(\d{4})-Q([1-4])"), lambda y, q: _months(int(y), 3 * (int(q) - 1) + 1, 3)),
    (re.compile(r"(\d{4})-M?(\d{2})"), lambda y, m: _months(int(y), int(m), 1)),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), lambda y, m, d: (dt.date(int(y), int(m), int(d)),) * 2),
)


def _months(year: int, first: int, count: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, first, 1)
    following = dt.date(year + (first + count - 1) // 12, (first + count - 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def parse_period(name: str, text: str) -> tuple[dt.date, dt.date]:
    """An SDMX period (``2014``, ``2014-A1``, ``2014-S1``, ``2014-Q2``, ``2014-06``, ``2014-06-30``) as its
    first and last day; anything else is a 400."""
    for pattern, dates in PERIOD_FORMS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dates(*match.groups())
            except ValueError:
                break
    raise exceptions.ValidationError(
        {name: [_("Give a period as 2014, 2014-S1, 2014-Q2, 2014-06 or 2014-06-30.")]}
    )


def data_query(params) -> DataQuery:
    start = end = updated_after = None
    if "startPeriod" in params:
        start = parse_period("startPeriod", params["startPeriod"])[0]
    if "endPeriod" in params:
        end = parse_period("endPeriod", params["endPeriod"])[1]
    if start and end and start > end:
        raise exceptions.ValidationError({"endPeriod": [_("The end period is before the start period.")]})
    if "updatedAfter" in params:
        text = params["updatedAfter"].replace(" ", "+")  # a "+" left unencoded in the URL reads as a space
        try:
            updated_after = parse_datetime(text)
        except ValueError:
            updated_after = None
        if updated_after is None or updated_after.tzinfo is None:
            raise exceptions.ValidationError(
                {"updatedAfter": [_("Give a time in ISO 8601 with its offset: 2014-06-30T12:00:00+02:00.")]}
            )
    return DataQuery(start=start, end=end, updated_after=updated_after)


class TrimScale(Func):
    """``trim_scale`` (PostgreSQL 13+): 12.5000 is written 12.5. SQLite (``make run``) keeps a figure as a
    number without trailing zeros (12.5, 12), so there the column is cast to text as it is."""

    function = "trim_scale"

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])


def observations(viewer: Viewer, query: DataQuery) -> QuerySet:
    """The approved values with a figure the reader may see, as rows of (country code, indicator id,
    period id, OBS_VALUE as text): the rest of each line comes from the code lists (``Coder``)."""
    rows = IndicatorValue.objects.filter(
        viewer.country_q("country"),
        Q(indicator__value_type__in=NUMERIC_TYPES, number_value__isnull=False)
        | Q(indicator__value_type=Indicator.ValueType.BOOLEAN, boolean_value__isnull=False),
        status=Status.APPROVED,
    )
    if query.start:
        rows = rows.filter(period__ends_on__gte=query.start)
    if query.end:
        rows = rows.filter(period__starts_on__lte=query.end)
    if query.updated_after:
        rows = rows.filter(updated_at__gt=query.updated_after)
    # trim_scale: 12.5000 is written 12.5 (PostgreSQL 13+); the text goes out as it is, no float between.
    figure = Case(
        When(boolean_value=True, then=Value("1")),
        When(boolean_value=False, then=Value("0")),
        default=Cast(TrimScale(F("number_value")), TextField()),
        output_field=TextField(),
    )
    ordered = rows.order_by("country__code", "indicator__code", "period__starts_on", "period_id")
    return ordered.values_list("country__code", "indicator_id", "period_id", figure)


class Coder:
    """The codes of an observation's indicator and period, worked out once per indicator and period."""

    def __init__(self, lists: CodeLists) -> None:
        goals = {goal.pk: sdmx_id(goal.code) for goal in lists.goals}
        # indicator id -> (INDICATOR, UNIT_MEASURE, GOAL)
        self.indicators = {
            item.pk: (sdmx_id(item.code), lists.units[item.pk][0], goals[item.goal_id])
            for item in lists.indicators
        }
        # period id -> (REPORTING_PERIOD, TIME_PERIOD)
        self.periods = {
            item.pk: (period_id(item.pk), time_range(item.starts_on, item.ends_on)) for item in lists.periods
        }


def sdmx_csv(rows: Iterator[tuple], lists: CodeLists) -> Iterator[str]:
    """SDMX-CSV 2.0: one line per observation, dimensions, value and attributes. Every cell is an SDMX
    identifier or a number (no comma, quote or line break to quote, nothing a spreadsheet would run), so
    lines are joined as they are: this format is for programs, and a cell changed would be a wrong code."""
    coder = Coder(lists)
    columns = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "OBS_VALUE", "UNIT_MEASURE", "GOAL"]
    yield ",".join(columns) + "\r\n"
    start = f"dataflow,{STRUCTURE_ID},I,"
    indicators, periods = coder.indicators, coder.periods
    chunk: list[str] = []
    for country, indicator_pk, period_pk, figure in rows:
        indicator, unit, goal = indicators[indicator_pk]
        period, time_period = periods[period_pk]
        chunk.append(f"{start}{country},{indicator},{period},{time_period},{figure},{unit},{goal}\r\n")
        if len(chunk) == CHUNK:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def sdmx_json(rows: Iterator[tuple], lists: CodeLists, request_url: str) -> Iterator[str]:
    """SDMX-JSON 1.0, streamed: observations first, keyed by the index of each dimension's value in the
    order first met; the structure, which lists exactly those values, follows them (member order does
    not matter in JSON, and so nothing has to be held back)."""
    coder = Coder(lists)
    names = {
        "REF_AREA": {item.code: item.name_en for item in lists.countries},
        "INDICATOR": {sdmx_id(item.code): item.name_en for item in lists.indicators},
        "REPORTING_PERIOD": {period_id(item.pk): item.label for item in lists.periods},
        "GOAL": {sdmx_id(item.code): item.title_en for item in lists.goals},
    }
    seen: dict[str, dict[str, int]] = {name: {} for name in (*DIMENSIONS, "UNIT_MEASURE", "GOAL")}
    unit_names = dict(lists.units.values())

    def index(component: str, value: str) -> int:
        values = seen[component]
        if value not in values:
            values[value] = len(values)
        return values[value]

    # The indices of an indicator's and a period's codes, found once each.
    indicator_keys: dict[int, tuple[str, str]] = {}  # indicator id -> (":3", ",unit,goal")
    period_keys: dict[int, str] = {}  # period id -> ":1:1"
    country_keys: dict[str, str] = {}

    prepared = timezone.now().replace(microsecond=0).isoformat()
    header = {
        "id": f"AM{uuid.uuid4().hex[:16].upper()}",
        "test": False,
        "prepared": prepared,
        "sender": {"id": AGENCY, "name": "Alliance Monitor"},
    }
    yield '{"header":' + json.dumps(header) + ',"dataSets":[{"action":"Information","observations":{'
    separator = ""
    chunk: list[str] = []
    for country, indicator_pk, period_pk, figure in rows:
        country_key = country_keys.get(country)
        if country_key is None:
            country_key = country_keys[country] = str(index("REF_AREA", country))
        keys = indicator_keys.get(indicator_pk)
        if keys is None:
            indicator, unit, goal = coder.indicators[indicator_pk]
            keys = indicator_keys[indicator_pk] = (
                f":{index('INDICATOR', indicator)}",
                f",{index('UNIT_MEASURE', unit)},{index('GOAL', goal)}",
            )
        period_key = period_keys.get(period_pk)
        if period_key is None:
            period, time_period = coder.periods[period_pk]
            period_key = period_keys[period_pk] = (
                f":{index('REPORTING_PERIOD', period)}:{index('TIME_PERIOD', time_period)}"
            )
        chunk.append(f'{separator}"{country_key}{keys[0]}{period_key}":[{figure}{keys[1]}]')
        separator = ","
        if len(chunk) == CHUNK:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)

    def component(name: str, position: int | None, value_names: dict[str, str]) -> dict:
        item = {"id": name, "name": CONCEPT_NAMES[name]}
        if position is not None:
            item["keyPosition"] = position
        if name == "TIME_PERIOD":
            item["role"] = "time"
        item["values"] = [{"id": value, "name": value_names.get(value, value)} for value in seen[name]]
        return item

    structure = {
        "links": [{"href": request_url, "rel": "request"}],
        "name": "Alliance Monitor: indicator values",
        "dimensions": {
            "dataSet": [],
            "series": [],
            "observation": [
                component(name, position, names.get(name, {})) for position, name in enumerate(DIMENSIONS)
            ],
        },
        "attributes": {
            "dataSet": [],
            "series": [],
            "observation": [
                component("UNIT_MEASURE", None, unit_names),
                component("GOAL", None, names["GOAL"]),
            ],
        },
    }
    yield '}}],"structure":' + json.dumps(structure, ensure_ascii=False) + "}"


# --- HTTP ---------------------------------------------------------------------------------------------


class _SDMXRenderer(BaseRenderer):
    """Chooses the SDMX format (by ``?format=`` or ``Accept``); errors are still the API's JSON."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class SDMXCSVRenderer(_SDMXRenderer):
    media_type = "application/vnd.sdmx.data+csv"
    format = "sdmx-csv"


class SDMXJSONRenderer(_SDMXRenderer):
    media_type = "application/vnd.sdmx.data+json"
    format = "sdmx-json"


class SDMXStructureRenderer(_SDMXRenderer):
    media_type = "application/vnd.sdmx.structure+xml"
    format = "sdmx-ml"


class _SDMXView(APIView):
    """The API's authentication, permission and throttling (the defaults), SDMX answers."""

    http_method_names = ["get", "head"]
    # Not in the OpenAPI schema: SDMX describes itself (the structure message), and the README says how.
    schema = None

    def lists(self) -> CodeLists:
        viewer = viewer_for(self.request)
        return code_lists(Country.objects.filter(viewer.country_q("pk")))


class StructureView(_SDMXView):
    """The SDMX-ML 2.1 structure message: code lists, concepts, the DSD and the dataflow."""

    renderer_classes = [SDMXStructureRenderer, JSONRenderer]

    def get(self, request, *args, **kwargs):
        response = HttpResponse(structure_message(self.lists()), content_type=STRUCTURE_MEDIA_TYPE)
        response["Content-Disposition"] = 'inline; filename="alliance-monitor-structure.xml"'
        return response


class DataView(_SDMXView):
    """The approved observations as SDMX-CSV 2.0 or SDMX-JSON 1.0, streamed."""

    renderer_classes = [SDMXCSVRenderer, SDMXJSONRenderer]

    def get(self, request, *args, **kwargs):
        query = data_query(request.query_params)
        lists = self.lists()
        rows = observations(viewer_for(request), query).iterator(chunk_size=CHUNK)
        if request.accepted_renderer.format == "sdmx-json":
            body, media_type, suffix = (
                sdmx_json(rows, lists, request.build_absolute_uri()),
                JSON_MEDIA_TYPE,
                "json",
            )
        else:
            body, media_type, suffix = sdmx_csv(rows, lists), CSV_MEDIA_TYPE, "csv"
        response = StreamingHttpResponse(body, content_type=f"{media_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="alliance-monitor-sdmx.{suffix}"'
        response["Cache-Control"] = "private, no-cache"
        return response
