from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination

if TYPE_CHECKING:
    from rest_framework.request import Request


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        """A page_size that is not a whole number from 1 to the maximum is a 400, not silently the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("请填写 1–%(max)d 之间的整数。") % {"max": self.max_page_size}]}
            )
        return int(raw)
