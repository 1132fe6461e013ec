"""Lists filtered by their query string, checked like a request body.

Apart from ``klustera.api``: DRF's generic views import its settings, and those
import the throttles, which use ``klustera.api``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from klustera.api import query


class FilteredListView(ListAPIView):
    """A list whose ``?…`` filters ``filter_serializer`` checks (and the schema lists)."""

    filter_serializer: type[serializers.Serializer]

    @cached_property
    def filters(self) -> dict[str, Any]:
        return query(self.filter_serializer, self.request.query_params)
