"""The API's own errors: a status, a stable code and a Vietnamese message."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Answered as ``{"code": code, "message": message, "errors": [...]}`` with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
