"""Pages of a documented, bounded size over a stable order.

Default 100 rows a page, at most 1,000 (``?page_size=``); ``?page=`` counts from 1. Anything else in
either parameter (``page_size=null``, ``page=0``, ``page_size=5000``) answers 400; a page past the last
answers 404. A list endpoint must
hand over an ordered queryset whose order ends in a unique column (the filters add ``pk``): paging an
unordered queryset would let rows repeat or vanish between pages, so it is refused outright.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
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

    def _whole_number(self, request, name: str, maximum: int | None) -> int | None:
        """The parameter as a whole number from 1 to ``maximum``, None when absent; otherwise 400."""
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= (maximum or int(raw)):
            return int(raw)
        if maximum:
            message = _("Give a whole number from 1 to %(n)s.") % {"n": maximum}
        else:
            message = _("Give a whole number from 1.")
        raise ValidationError({name: [message]})

    def check_parameters(self, request) -> None:
        """Refuse bad paging parameters (400) before anything is read, the page cache included."""
        self._whole_number(request, self.page_size_query_param, self.max_page_size)
        self._whole_number(request, self.page_query_param, None)

    def get_page_size(self, request) -> int:
        return self._whole_number(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def get_page_number(self, request, paginator):
        # Beyond any page there could be, the paginator answers 404 before a row is read.
        return self._whole_number(request, self.page_query_param, None) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

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
