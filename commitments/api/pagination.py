"""Pages of a documented, bounded size over a stable order.

Default 100 rows a page, at most 1,000 (``?page_size=``); ``?page=`` counts from 1. A list endpoint must
hand over an ordered queryset whose order ends in a unique column (the filters add ``pk``): paging an
unordered queryset would let rows repeat or vanish between pages, so it is refused outright.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class CountedPaginator(Paginator):
    """A paginator told the count in advance (the list's ETag query already counted the rows)."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # fills the cached_property: no second COUNT query


class StablePageNumberPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = f"Rows per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}."
    page_query_description = "Page number, from 1."

    def paginate_queryset(self, queryset, request, view=None):
        if not getattr(queryset, "ordered", True):
            raise ImproperlyConfigured(
                f"{type(view).__name__} pages an unordered queryset: "
                "give it an order ending in a unique column."
            )
        self.django_paginator_class = functools.partial(
            CountedPaginator, count=getattr(view, "result_count", None)
        )
        return super().paginate_queryset(queryset, request, view)
