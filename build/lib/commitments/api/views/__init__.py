"""The partner REST API, version 1: reads for partners and members, writes for staff through the services.

Every list is filtered by what the reader may see (visibility.py), ordered stably, paged, available as
CSV, and answers conditional requests (ETag) from the data version (sync.changes.data_version: one
indexed query, the same cost at any size, raised in the transaction of every write) before it reads a
single row; a page already rendered for the same scope, URL and data version comes from the cache
(cache.py). Writes validate the request's shape (serializers.py) and hand over to commitments.services,
exactly as the browser does; the services' refusals become the API's errors (exceptions.py).

One module per resource: ``base`` (what every viewset shares: ``AllianceViewSet``), ``reference``
(countries, goals, indicators, periods, rounds), ``values``, ``commitments``, ``recommendations``.
The router (urls.py) names the viewsets through this package.
"""

from __future__ import annotations

from .base import (
    API_VERSION,
    CSV_CHUNK,
    WRITE_METHODS,
    AllianceViewSet,
    _entry,
    _text_transition,
    _validated,
    _version,
)
from .commitments import (
    CommitmentViewSet,
)
from .recommendations import (
    RecommendationViewSet,
)
from .reference import (
    CountryViewSet,
    GoalViewSet,
    IndicatorViewSet,
    PeriodViewSet,
    RoundViewSet,
)
from .values import (
    IndicatorValueViewSet,
)

__all__ = [
    "API_VERSION",
    "CSV_CHUNK",
    "WRITE_METHODS",
    "AllianceViewSet",
    "_validated",
    "_version",
    "_text_transition",
    "_entry",
    "CountryViewSet",
    "GoalViewSet",
    "IndicatorViewSet",
    "PeriodViewSet",
    "RoundViewSet",
    "IndicatorValueViewSet",
    "CommitmentViewSet",
    "RecommendationViewSet",
]
