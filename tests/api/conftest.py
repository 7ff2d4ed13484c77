"""Helpers of the API tests: JSON requests as a given user or with a token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def post_json(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def patch_json(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)
