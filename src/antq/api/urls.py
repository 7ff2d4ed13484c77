"""The JSON API, version 1: ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``)."""

from antq.api import cases, tips
from antq.api.base import api

api.add_router("/tips", tips.router)
api.add_router("/tip-categories", tips.categories_router)
api.add_router("/cases", cases.router)

__all__ = ["api"]
