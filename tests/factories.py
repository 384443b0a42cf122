"""factory_boy factories for what tests create themselves (reference data comes from seed_alliance)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from commitments.models import Commitment, Country, Goal, Recommendation

TEST_PASSWORD = "correct-horse-battery-staple-2014"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    country = factory.LazyFunction(lambda: Country.objects.get(code="NL"))
    goal = factory.LazyFunction(lambda: Goal.objects.get(code="VICTIM_ID"))
    title = factory.Sequence(lambda n: f"Expand the victim-identification team ({n})")
    description = "Double the number of trained victim-identification specialists."
    baseline = "Four specialists in 2013."
    lead_organisation = "National police"
    committed_on = dt.date(2013, 4, 15)
    target_date = dt.date(2014, 12, 31)
    # Reviewed texts: a factory's commitment is approved (what readers see) unless a test says otherwise.
    status = "approved"
    approved_at = factory.LazyFunction(timezone.now)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    number = factory.Sequence(lambda n: str(n + 1))
    source_document = "Monitor 2013"
    country = factory.LazyFunction(lambda: Country.objects.get(code="NL"))
    goal = factory.LazyFunction(lambda: Goal.objects.get(code="VICTIM_ID"))
    text = "Invest in victim identification."
    addressees = "National police\nPublic prosecution service"
    issued_on = dt.date(2013, 10, 1)
    status = "approved"
    approved_at = factory.LazyFunction(timezone.now)
