"""A row lock takes the row it guards, never its workspace's.

`select_for_update()` with `select_related("workspace")` locks the joined workspace row too. On
PostgreSQL every insert of a workspace's row checks its foreign key at commit with a share of
the workspace row: behind such a lock, every other write of the workspace waited, and the
cost report's version row made them deadlock (seen as 500s in bench/traffic.py). The test
holds each lock open and asks, from a second connection, for what a commit's key check asks.
"""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction

from sourcewise.costs import invoicing
from sourcewise.engagements.guards import locked_engagement
from sourcewise.engagements.models import Engagement
from tests.engagements.factories import EngagementFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (one writer at a time)"),
]


def key_share_without_waiting(table: str, pk: int) -> None:
    """What the commit of another write of the workspace asks of the row (raises if it must wait)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE NOWAIT", [pk])  # noqa: S608
    finally:
        other.close()


def test_locking_an_engagement_leaves_its_workspace_free():
    engagement = EngagementFactory()
    with transaction.atomic():
        locked_engagement(engagement)
        key_share_without_waiting("workspaces_workspace", engagement.workspace_id)


def test_locking_an_invoice_leaves_its_workspace_free():
    import datetime

    from tests.costs.helpers import D, active_engagement
    from tests.workspaces.factories import WorkspaceFactory

    workspace = WorkspaceFactory()
    invoice = invoicing.create_invoice(
        workspace=workspace,
        actor=None,
        engagement=active_engagement(workspace),
        month=datetime.date(2026, 3, 1),
        extra_amount=D("100"),
    )
    with transaction.atomic():
        invoicing._locked(invoice)
        key_share_without_waiting("workspaces_workspace", invoice.workspace_id)


def test_the_lock_still_holds_the_engagement_itself():
    from django.db.utils import OperationalError

    engagement = EngagementFactory()
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            locked_engagement(engagement)
            sql = f"SELECT 1 FROM {Engagement._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT"  # noqa: S608
            with other.cursor() as cursor, pytest.raises(OperationalError):
                cursor.execute(sql, [engagement.pk])
    finally:
        other.close()
