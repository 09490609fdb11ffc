"""Pages of every list: ``?page=N`` and ``?page_size=N`` (at most 200)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination: ``{"count", "next", "previous", "results"}``; 50 rows a
    page by default, ``page_size`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200
