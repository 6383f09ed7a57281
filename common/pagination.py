"""Pagination: numbered pages for bounded lists, cursors for the large, growing ones."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(CursorPagination):
    """Cursor pages for append-mostly lists; no COUNT(*), stable under inserts."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-at", "-id")


class CreatedNewestFirstCursorPagination(NewestFirstCursorPagination):
    """The same, for models stamped `created_at` (notifications, webhook deliveries)."""

    page_size = 50
    max_page_size = 200
    ordering = ("-created_at", "-id")
