"""/api/v1/: the partner API. Included by alliance_monitor/urls.py (the reports endpoints come separately)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("values", views.IndicatorValueViewSet, basename="value")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")

app_name = "api"
urlpatterns = router.urls
