"""What the API shows and accepts. Countries are named by ISO code, goals and indicators by code.

Read serializers list their fields; write serializers only check the shape of a request and turn codes
into rows: every rule (who, which country, which transition, which values) is the services' to apply.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments.models import (
    TEXT_ONLY,
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    split_lines,
)
from commitments.services import TRANSITIONS

# --- building blocks ------------------------------------------------------------------------------------


class LinesField(serializers.ListField):
    """A text stored one item per line (evidence links, addressees), shown and taken as a list."""

    def __init__(self, **kwargs) -> None:
        # The pattern tells the schema's readers (and schemathesis) that an item has no line break.
        kwargs.setdefault(
            "child", serializers.CharField(max_length=2000, validators=[RegexValidator(r"^[^\r\n]*$")])
        )
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_representation(self, data):
        return split_lines(data) if isinstance(data, str) else super().to_representation(data)

    def to_internal_value(self, data) -> str:
        items = super().to_internal_value(data)
        if any("\n" in item or "\r" in item for item in items):
            raise serializers.ValidationError(_("One item per list entry: no line breaks inside an item."))
        return "\n".join(item.strip() for item in items if item.strip())


class Text(serializers.CharField):
    """Text for a model's text field: only strings, and the model's own length rule and message.

    The limit is the model field's (``model_text``): DRF's own length message is replaced by Django's, so
    that the API, the forms, the admin and the services refuse an over-long text in the same words.
    """

    default_error_messages = {"invalid": TEXT_ONLY}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def model_text(model, name: str, **kwargs) -> Text:
    """A request field for ``model.name``: its length limit and whether it may be blank."""
    field = model._meta.get_field(name)
    kwargs.setdefault("allow_blank", field.blank)
    return Text(max_length=field.max_length, **kwargs)


class CodeField(serializers.SlugRelatedField):
    """A row named by its code; ``upper`` accepts ISO and indicator codes in any case (``nl`` is NL)."""

    default_error_messages = {
        "does_not_exist": _("There is no %(model)s with the code %(value)s."),
        "invalid": _("Give the code as text."),
    }

    def __init__(self, *, upper: bool = False, **kwargs) -> None:
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)
        self.upper = upper

    def to_internal_value(self, data):
        if isinstance(data, str) and self.upper:
            data = data.strip().upper()
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except ObjectDoesNotExist:
            self.fail(
                "does_not_exist", model=self.get_queryset().model._meta.verbose_name, value=str(data)[:50]
            )
        except (TypeError, ValueError):
            self.fail("invalid")


def _code_field(queryset, **kwargs) -> CodeField:
    return CodeField(queryset=queryset, **kwargs)


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API returns (documented for every operation)."""

    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    code = serializers.CharField(help_text=_("A stable, machine-readable reason: not_found, throttled, ..."))
    message = serializers.CharField(help_text=_("A sentence for people."))
    retry_after = serializers.IntegerField(required=False, help_text=_("Seconds to wait (429 only)."))
    current_version = serializers.IntegerField(
        required=False, help_text=_("The item's version now (409 edit conflicts only): reload and retry.")
    )
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True), min_length=2, max_length=2),
        required=False,
        help_text=_(
            "What changed since the version you started from, per field: [then, now] "
            "(409 edit conflicts only)."
        ),
    )

    def get_fields(self):
        # "fields" cannot be a declared attribute: Serializer.fields is taken.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=_("Per request field, what is wrong with it (validation errors only)."),
        )
        return fields


# --- reference data -------------------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "code",
            "name_en",
            "name_nl",
            "region",
            "membership",
            "joined_on",
            "left_on",
            "eu_member_since",
            "membership_note",
        ]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = [
            "code",
            "order",
            "policy_target",
            "title_en",
            "title_nl",
            "description_en",
            "description_nl",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "goal",
            "order",
            "name_en",
            "name_nl",
            "definition",
            "value_type",
            "unit",
            "direction",
            "min_value",
            "max_value",
            "source",
            "is_active",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "label", "kind", "starts_on", "ends_on", "deadline", "is_open"]


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationRound
        # The round's step in its life and the moment it was (or will be) released (cycle.services).
        fields = [
            "id", "label", "baseline_period", "evaluation_period", "ministerial_date", "stage", "released_at"
        ]


# --- reviewable data: shown -----------------------------------------------------------------------------

REVIEW_FIELDS = ["status", "review_reason", "version", "submitted_at", "approved_at", "updated_at", "is_demo"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    goal = serializers.CharField(source="indicator.goal.code", read_only=True)
    value_type = serializers.CharField(source="indicator.value_type", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    evidence_links = LinesField(read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "country",
            "indicator",
            "goal",
            "period",
            "period_label",
            "value_type",
            "number_value",
            "boolean_value",
            "text_value",
            "note",
            "evidence_links",
            *REVIEW_FIELDS,
        ]


class ProgressSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    evidence_links = LinesField(read_only=True)

    class Meta:
        model = CommitmentProgress
        fields = ["id", "period", "period_label", "completion", "narrative", "evidence_links", *REVIEW_FIELDS]


# --- reviewed texts: what a reader sees depends on who reads -------------------------------------------

TEXT_REVIEW_FIELDS = ["status", "review_reason", "version", "submitted_at", "approved_at", "approved"]


class RevisedSerializerMixin:
    """Shows a reviewed text (commitment, recommendation, response) as the reader may see it.

    Editors of its country (visibility.Viewer.sees_drafts_of) read the working text, with the approved
    revision beside it in ``approved`` while the two differ; everyone else reads the last approved
    revision only, and nothing of an item never approved. Without a viewer in the context (another
    caller), the approved revision is shown.
    """

    def country_id_of(self, instance) -> int | None:
        return instance.country_id

    def to_representation(self, instance):
        viewer = self.context.get("viewer")
        if viewer is None or not viewer.sees_drafts_of(self.country_id_of(instance)):
            if not instance.is_published:
                return None
            data = super().to_representation(instance)
            # The revision shown is the approved one, whatever is under way in the workspace.
            data.update(status="approved", review_reason="", approved=None)
            return data
        data = super().to_representation(instance.working_copy())
        if instance.has_pending_changes:
            published = super().to_representation(instance)
            data["approved"] = {
                name: published[name] for name in instance.revised_fields if name in published
            }
        return data

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_approved(self, instance) -> None:
        return None


_APPROVED_HELP = _(
    "Editors of the item's country only: the approved text (its reviewed fields) while a newer draft "
    "waits for review; null otherwise. Everyone else reads the approved text in the fields themselves."
)


class CommitmentSerializer(RevisedSerializerMixin, serializers.ModelSerializer):
    approved = serializers.SerializerMethodField(help_text=_APPROVED_HELP)
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)
    progress = ProgressSerializer(many=True, read_only=True, source="visible_progress")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "country",
            "goal",
            "title",
            "description",
            "baseline",
            "lead_organisation",
            "committed_on",
            "target_date",
            "is_demo",
            "created_at",
            "updated_at",
            *TEXT_REVIEW_FIELDS,
            "progress",
        ]


class GovernmentResponseSerializer(RevisedSerializerMixin, serializers.ModelSerializer):
    approved = serializers.SerializerMethodField(help_text=_APPROVED_HELP)

    def country_id_of(self, instance) -> int | None:
        return instance.recommendation.country_id

    class Meta:
        model = GovernmentResponse
        fields = ["response", "reference", "responded_on", "summary", "updated_at", *TEXT_REVIEW_FIELDS]


class FollowUpSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    evidence_links = LinesField(read_only=True)

    class Meta:
        model = RecommendationFollowUp
        fields = ["id", "period", "period_label", "follow_up", "narrative", "evidence_links", *REVIEW_FIELDS]


class RecommendationSerializer(RevisedSerializerMixin, serializers.ModelSerializer):
    approved = serializers.SerializerMethodField(help_text=_APPROVED_HELP)
    country = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("Null for a recommendation to the whole alliance."),
    )
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)
    addressees = LinesField(read_only=True)
    response = GovernmentResponseSerializer(read_only=True, allow_null=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True, source="visible_follow_ups")

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "number",
            "source_document",
            "country",
            "goal",
            "text",
            "addressees",
            "issued_on",
            "is_demo",
            "created_at",
            "updated_at",
            *TEXT_REVIEW_FIELDS,
            "response",
            "follow_ups",
        ]


# --- writes: the shape of a request; the services decide ------------------------------------------------


VERSION_HELP = _(
    "The version you started from (the item's `version`): a save on stale data is refused with 409 "
    "instead of overwriting. Required to change an item that exists; 0 or left out to create one."
)


class _VersionedWrite(serializers.Serializer):
    """Fields left out of a request stay as they are: only what is sent changes."""

    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class _VersionRequired(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0,
        help_text=_(
            "The version you started from (the item's `version`): a change on stale data is refused "
            "with 409 instead of overwriting."
        ),
    )


class IndicatorValueUpdateSerializer(_VersionRequired):
    """A change to a value (PATCH): the fields sent change, the others stay as they are."""

    number_value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, required=False)
    boolean_value = serializers.BooleanField(allow_null=True, required=False)
    text_value = model_text(IndicatorValue, "text_value", required=False)
    note = model_text(IndicatorValue, "note", required=False)
    evidence_links = LinesField(required=False, help_text=_("Web addresses (http or https)."))


class IndicatorValueCreateSerializer(_VersionedWrite, IndicatorValueUpdateSerializer):
    """A new value, or a change to the existing one (then with its ``version``)."""

    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)
    country = _code_field(Country.objects.all(), upper=True, help_text=_("ISO code."))
    indicator = _code_field(
        Indicator.objects.select_related("goal"), upper=True, help_text=_("Indicator code.")
    )
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())


class TransitionSerializer(_VersionRequired):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    reason = model_text(
        IndicatorValue,
        "review_reason",
        allow_blank=True,
        required=False,
        help_text=_("Needed to return or reopen."),
    )


class TextTransitionSerializer(TransitionSerializer):
    """A step of a reviewed text (commitment, recommendation, response) through the workflow."""

    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=_("The version you reviewed: if the text changed since, the step is refused with 409."),
    )


class PeriodTransitionSerializer(TransitionSerializer):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())


class CommitmentUpdateSerializer(_VersionedWrite):
    goal = _code_field(Goal.objects.all(), required=False)
    title = model_text(Commitment, "title", required=False)
    description = model_text(Commitment, "description", required=False)
    baseline = model_text(Commitment, "baseline", required=False)
    lead_organisation = model_text(Commitment, "lead_organisation", required=False)
    committed_on = serializers.DateField(required=False)
    target_date = serializers.DateField(allow_null=True, required=False)


class CommitmentCreateSerializer(CommitmentUpdateSerializer):
    version = None  # a new commitment has no version to start from
    country = _code_field(
        Country.objects.all(), upper=True, help_text=_("ISO code; a commitment keeps its country.")
    )
    goal = _code_field(Goal.objects.all())
    title = model_text(Commitment, "title")
    committed_on = serializers.DateField()


class ProgressWriteSerializer(_VersionedWrite):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    completion = serializers.ChoiceField(
        choices=CommitmentProgress.Completion.choices,
        required=False,
        help_text=_("Required for new progress; left out, it stays as it is."),
    )
    narrative = model_text(CommitmentProgress, "narrative", required=False)
    evidence_links = LinesField(required=False)


class RecommendationUpdateSerializer(_VersionedWrite):
    number = model_text(Recommendation, "number", required=False)
    source_document = model_text(Recommendation, "source_document", required=False)
    goal = _code_field(Goal.objects.all(), required=False)
    text = model_text(Recommendation, "text", required=False)
    addressees = LinesField(required=False, min_length=1)
    issued_on = serializers.DateField(required=False)


class RecommendationCreateSerializer(RecommendationUpdateSerializer):
    version = None  # a new recommendation has no version to start from
    country = _code_field(
        Country.objects.all(),
        allow_null=True,
        help_text=_("ISO code; null for the whole alliance (reviewers)."),
    )
    number = model_text(Recommendation, "number")
    source_document = model_text(Recommendation, "source_document")
    goal = _code_field(Goal.objects.all())
    text = model_text(Recommendation, "text")
    addressees = LinesField(min_length=1)
    issued_on = serializers.DateField()


class GovernmentResponseWriteSerializer(_VersionedWrite):
    """The government's response (PUT): the fields sent change, a field left out stays as it is (the
    evidence chain's rule for every write); a new response needs its ``response`` and its date."""

    response = serializers.ChoiceField(choices=GovernmentResponse.Response.choices, required=False)
    reference = model_text(GovernmentResponse, "reference", required=False)
    responded_on = serializers.DateField(allow_null=True, required=False)
    summary = model_text(GovernmentResponse, "summary", required=False)


class FollowUpWriteSerializer(_VersionedWrite):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    follow_up = serializers.ChoiceField(
        choices=RecommendationFollowUp.FollowUpStatus.choices,
        required=False,
        help_text=_("Required for a new follow-up; left out, it stays as it is."),
    )
    narrative = model_text(RecommendationFollowUp, "narrative", required=False)
    evidence_links = LinesField(required=False)
