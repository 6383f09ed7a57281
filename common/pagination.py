"""Pagination: numbered pages for bounded lists, cursors for the large, growing ones.

Both refuse bad parameters with a 400 naming them (DRF falls back to the defaults silently): page_size must be a
whole number from 1 to the maximum, page a whole number from 1, and a cursor must be one this API handed out
(cursors are signed, and bound to the list's ordering, so a made-up or edited one is refused).
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param

MAX_DIGITS = 9


def positive_int_param(request, name: str, maximum: int | None = None) -> int | None:
    """The query parameter `name` as a whole number from 1 (to `maximum`), None when absent, else a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS else 0
    if value < 1 or (maximum is not None and value > maximum):
        message = _("Give a whole number from 1 to %(maximum)d.") % {"maximum": maximum} if maximum else \
            _("Give a whole number from 1.")
        raise ValidationError({name: [message]})
    return value


class StrictPageSizeMixin:
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        return positive_int_param(request, self.page_size_query_param, self.max_page_size) or self.page_size


class StandardPagination(StrictPageSizeMixin, PageNumberPagination):
    page_size = 50
    max_page_size = 500

    def get_page_number(self, request, paginator):
        return positive_int_param(request, self.page_query_param) or 1


class NewestFirstCursorPagination(StrictPageSizeMixin, CursorPagination):
    """Cursor pages for append-mostly lists; no COUNT(*), stable under inserts."""

    page_size = 100
    max_page_size = 1000
    ordering = ("-at", "-id")

    def _signer(self) -> signing.Signer:
        return signing.Signer(salt="jixiao.cursor:" + ",".join(self.ordering))

    def encode_cursor(self, cursor: Cursor) -> str:
        encoded = self._signer().sign_object([cursor.offset, cursor.reverse, cursor.position])
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            offset, reverse, position = self._signer().unsign_object(encoded)
        except (signing.BadSignature, ValueError, TypeError):
            raise ValidationError({self.cursor_query_param: [
                _("This cursor is not valid: use the next and previous links of a page of this list.")]}) from None
        return Cursor(offset=offset, reverse=reverse, position=position)

class CreatedNewestFirstCursorPagination(NewestFirstCursorPagination):
    """The same, for models stamped `created_at` (notifications, webhook deliveries)."""

    page_size = 50
    max_page_size = 200
    ordering = ("-created_at", "-id")
