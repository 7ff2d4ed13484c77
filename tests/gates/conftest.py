"""Fixtures of the quality gates that run the real server (tests/gates/server.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tests.gates.server import Instance, gate_database_url, instance

# The public form's own limit (20 an hour per client) would stop a load test after 20 tips.
LOAD_ENV = {"ANTQ_TIP_SUBMIT_PER_HOUR": "1000000000", "ANTQ_TIP_LOOKUP_PER_HOUR": "1000000000"}


@pytest.fixture(scope="session")
def prepared_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """One migrated instance with Hà Nội's wards, static files, an officer and a partner,
    never started: each gate runs a copy of it."""
    template = Instance(
        tmp_path_factory.mktemp("antq-gate-template"), suite_database_url=gate_database_url()
    )
    try:
        yield template.prepare()
    finally:
        template.destroy()


@pytest.fixture(scope="module")
def real_server(
    tmp_path_factory: pytest.TempPathFactory, prepared_instance: Instance
) -> Callable[..., AbstractContextManager[Instance]]:
    """Start a throwaway production instance: ``with real_server(extra_env=...) as s:``."""

    def start(**kwargs: Any) -> AbstractContextManager[Instance]:
        root = tmp_path_factory.mktemp("antq-gate")
        return instance(root, template=prepared_instance, **kwargs)

    return start


@pytest.fixture(scope="module")
def loaded_server(
    real_server: Callable[..., AbstractContextManager[Instance]],
) -> Iterator[Instance]:
    """An instance with the rate limits of the public form lifted, web server and worker
    running."""
    with real_server(extra_env=LOAD_ENV) as server:
        yield server
