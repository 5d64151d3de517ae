"""Pages of a list: ``?page=2&page_size=100`` (50 by default, at most 200)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

from shinchoku.portal.views import SEARCH_PAGE, SEARCH_PAGES


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class SearchPagination(Pagination):
    """Search hits: the portal's page (20), and at most the hundred hits the search reads."""

    page_size = SEARCH_PAGE
    max_page_size = SEARCH_PAGE * SEARCH_PAGES
