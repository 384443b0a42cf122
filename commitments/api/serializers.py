"""What the API shows and accepts. Countries are named by ISO code, goals and indicators by code.

Read serializers list their fields; write serializers only check the shape of a request and turn codes
into rows: every rule (who, which country, which transition, which values) is the services' to apply.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from commitments.models import (
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
        fields = ["id", "label", "baseline_period", "evaluation_period", "ministerial_date"]


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


class CommitmentSerializer(serializers.ModelSerializer):
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
            "progress",
        ]


class GovernmentResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = GovernmentResponse
        fields = ["response", "reference", "responded_on", "summary", "updated_at"]


class FollowUpSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    evidence_links = LinesField(read_only=True)

    class Meta:
        model = RecommendationFollowUp
        fields = ["id", "period", "period_label", "follow_up", "narrative", "evidence_links", *REVIEW_FIELDS]


class RecommendationSerializer(serializers.ModelSerializer):
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
            "response",
            "follow_ups",
        ]


# --- writes: the shape of a request; the services decide ------------------------------------------------


class _VersionedWrite(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=_(
            "The version you started from: a save on stale data is refused with 409 instead of overwriting."
        ),
    )


class IndicatorValueUpdateSerializer(_VersionedWrite):
    number_value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, required=False)
    boolean_value = serializers.BooleanField(allow_null=True, required=False)
    text_value = serializers.CharField(allow_blank=True, max_length=5000, required=False)
    note = serializers.CharField(allow_blank=True, max_length=5000, required=False)
    evidence_links = LinesField(required=False, help_text=_("Web addresses (http or https)."))


class IndicatorValueCreateSerializer(IndicatorValueUpdateSerializer):
    country = _code_field(Country.objects.all(), upper=True, help_text=_("ISO code."))
    indicator = _code_field(
        Indicator.objects.select_related("goal"), upper=True, help_text=_("Indicator code.")
    )
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    reason = serializers.CharField(
        allow_blank=True, required=False, max_length=2000, help_text=_("Needed to return or reopen.")
    )


class PeriodTransitionSerializer(TransitionSerializer):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())


class CommitmentUpdateSerializer(serializers.Serializer):
    goal = _code_field(Goal.objects.all(), required=False)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    baseline = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    lead_organisation = serializers.CharField(max_length=200, allow_blank=True, required=False)
    committed_on = serializers.DateField(required=False)
    target_date = serializers.DateField(allow_null=True, required=False)


class CommitmentCreateSerializer(CommitmentUpdateSerializer):
    country = _code_field(
        Country.objects.all(), upper=True, help_text=_("ISO code; a commitment keeps its country.")
    )
    goal = _code_field(Goal.objects.all())
    title = serializers.CharField(max_length=300)
    committed_on = serializers.DateField()


class ProgressWriteSerializer(_VersionedWrite):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    completion = serializers.ChoiceField(choices=CommitmentProgress.Completion.choices)
    narrative = serializers.CharField(allow_blank=True, max_length=10000, required=False)
    evidence_links = LinesField(required=False)


class RecommendationUpdateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20, required=False)
    source_document = serializers.CharField(max_length=300, required=False)
    goal = _code_field(Goal.objects.all(), required=False)
    text = serializers.CharField(max_length=10000, required=False)
    addressees = LinesField(required=False, min_length=1)
    issued_on = serializers.DateField(required=False)


class RecommendationCreateSerializer(RecommendationUpdateSerializer):
    country = _code_field(
        Country.objects.all(),
        allow_null=True,
        help_text=_("ISO code; null for the whole alliance (reviewers)."),
    )
    number = serializers.CharField(max_length=20)
    source_document = serializers.CharField(max_length=300)
    goal = _code_field(Goal.objects.all())
    text = serializers.CharField(max_length=10000)
    addressees = LinesField(min_length=1)
    issued_on = serializers.DateField()


class GovernmentResponseWriteSerializer(serializers.Serializer):
    """The whole response (PUT): a field left out is emptied."""

    response = serializers.ChoiceField(choices=GovernmentResponse.Response.choices)
    reference = serializers.CharField(max_length=100, allow_blank=True, default="")
    responded_on = serializers.DateField(allow_null=True, default=None)
    summary = serializers.CharField(max_length=10000, allow_blank=True, default="")


class FollowUpWriteSerializer(_VersionedWrite):
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    follow_up = serializers.ChoiceField(choices=RecommendationFollowUp.FollowUpStatus.choices)
    narrative = serializers.CharField(allow_blank=True, max_length=10000, required=False)
    evidence_links = LinesField(required=False)
