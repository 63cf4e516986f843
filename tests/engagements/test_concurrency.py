"""Two people start the same engagement at the same moment: one activation, one clear refusal.

Runs with real concurrent connections on PostgreSQL (row locks). SQLite serialises every
writer (IMMEDIATE transactions), which the stale-instance tests in test_services.py cover.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sourcewise.audit.models import AuditEvent
from sourcewise.engagements import lifecycle
from sourcewise.engagements.models import Engagement
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_activations_apply_once():
    engagement = EngagementFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        stale = Engagement.objects.get(pk=engagement.pk)  # both read "draft" before either writes
        barrier.wait()
        try:
            lifecycle.activate(engagement=stale, actor=None)
            outcomes.append("activated")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["This engagement is active; it cannot be activated.", "activated"]
    assert AuditEvent.objects.filter(action="engagement.activate", target_id=str(engagement.pk)).count() == 1
