from __future__ import annotations

from django.urls import path

from .api import SelfReportedValueList

urlpatterns = [
    path("self-reported-values/", SelfReportedValueList.as_view(), name="api-self-reported-values"),
]
