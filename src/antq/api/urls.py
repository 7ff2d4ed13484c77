"""The JSON API, version 1: ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``)."""

from antq.api.base import api

__all__ = ["api"]
