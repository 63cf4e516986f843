from __future__ import annotations

import pytest

from sourcewise.findings import registry
from tests.findings.stored import stored  # noqa: F401 — a check whose findings a test chooses


@pytest.fixture
def temporary_check():
    names = []

    def register(codes, produce):
        decorated = registry.check(*codes)(produce)
        names.append(f"{decorated.__module__}.{decorated.__qualname__}")
        return decorated

    yield register
    for name in names:
        registry.unregister(name)
