"""The audit log page at scale: keyset pages (no count, no offset), filters on their indexes."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from sourcewise.audit.models import AuditEvent
from sourcewise.audit.selectors import event_page, filtered
from sourcewise.workspaces.models import Workspace


def _rows(workspace, actions):
    AuditEvent.objects.bulk_create(
        [AuditEvent(workspace=workspace, actor_label="a@example.com", action=a) for a in actions]
    )
    return list(AuditEvent.objects.filter(workspace=workspace).order_by("-id").values_list("id", flat=True))


def _shown(body: str) -> list[str]:
    return re.findall(r"<code>([^<]+)</code> ", body)


def test_pages_follow_older_and_newer_links_without_gaps(owner, owner_client):
    ids = _rows(owner.workspace, [f"task.n{i:03d}" for i in range(120)])
    first = owner_client.get("/audit/").content.decode()
    assert _shown(first) == [f"task.n{i:03d}" for i in range(119, 69, -1)]
    assert "Newer" not in first and f"before={ids[49]}" in first
    second = owner_client.get(f"/audit/?before={ids[49]}").content.decode()
    assert _shown(second) == [f"task.n{i:03d}" for i in range(69, 19, -1)]
    assert f"after={ids[50]}" in second and f"before={ids[99]}" in second
    last = owner_client.get(f"/audit/?before={ids[99]}").content.decode()
    assert _shown(last) == [f"task.n{i:03d}" for i in range(19, -1, -1)]
    assert "Older" not in last
    back = owner_client.get(f"/audit/?after={ids[50]}").content.decode()
    assert _shown(back) == _shown(first) and "Newer" not in back


def test_a_page_reached_by_a_newer_link_keeps_full_pages():
    page = event_page(AuditEvent.objects.none(), after=5)
    assert page.events == [] and page.newer is None and page.older is None


def test_filters_a_family_or_one_action(owner, owner_client):
    _rows(owner.workspace, ["task.update", "task.create", "tasks.other", "time.log", "task.update"])
    family = _shown(owner_client.get("/audit/?action=task").content.decode())
    assert family == ["task.update", "task.create", "task.update"]
    assert _shown(owner_client.get("/audit/?action=task.").content.decode()) == family
    assert _shown(owner_client.get("/audit/?action=task.update").content.decode()) == ["task.update"] * 2
    assert _shown(owner_client.get("/audit/?action=task.up").content.decode()) == []  # one action, named in full


def test_filtered_older_pages_stay_in_the_filter(owner):
    ids = _rows(owner.workspace, ["time.log", "task.update"] * 60)
    events = filtered(AuditEvent.objects.filter(workspace=owner.workspace), "time")
    page = event_page(events, size=50)
    assert len(page.events) == 50 and {e.action for e in page.events} == {"time.log"}
    rest = event_page(events, before=page.older, size=50)
    assert len(rest.events) == 10 and rest.older is None and rest.newer == rest.events[0].pk
    assert ids  # the rows exist


def test_another_workspace_rows_never_show(owner, owner_client):
    other = Workspace.objects.create(name="Other", home_country="GB", base_currency="GBP", timezone="Europe/London")
    _rows(other, ["task.secret"] * 60)
    _rows(owner.workspace, ["task.mine"])
    for url in ["/audit/", "/audit/?action=task", "/audit/?action=task.secret", "/audit/?before=999999999"]:
        assert "task.secret" not in _shown(owner_client.get(url).content.decode())


def test_nonsense_cursors_show_the_newest_page(owner, owner_client):
    _rows(owner.workspace, ["task.x"])
    for query in ["before=abc", "after=-1", "before=99999999999999999999999", "after="]:
        response = owner_client.get(f"/audit/?{query}")
        assert response.status_code == 200 and _shown(response.content.decode()) == ["task.x"]


@pytest.mark.parametrize("query", ["", "?action=time", "?action=time.log", "?before=500", "?after=10"])
def test_the_page_reads_a_bounded_number_of_rows(owner, owner_client, django_assert_max_num_queries, query):
    _rows(owner.workspace, ["time.log", "task.update"] * 300)
    with django_assert_max_num_queries(8):
        response = owner_client.get(f"/audit/{query}")
    assert response.status_code == 200 and len(_shown(response.content.decode())) <= 50


def test_no_count_and_no_offset_in_the_page_queries(owner, owner_client):
    from django.test.utils import CaptureQueriesContext

    _rows(owner.workspace, ["time.log"] * 120)
    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/audit/?action=time&before=100000")
    audit_sql = [q["sql"] for q in queries if "audit_auditevent" in q["sql"]]
    assert audit_sql and not any("COUNT(" in s.upper() or "OFFSET" in s.upper() for s in audit_sql)


def test_the_filters_use_their_indexes(owner):
    """The query plans name the indexes made for the filters (the database must not scan and sort)."""
    events = AuditEvent.objects.filter(workspace=owner.workspace)
    for queryset, index in [
        (filtered(events, "task").order_by("-id")[:51], "audit_workspace_family"),
        (filtered(events, "task.update").order_by("-id")[:51], "audit_workspace_action"),
    ]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")  # an empty test table is cheaper to scan
                plan = queryset.explain()
                cursor.execute("RESET enable_seqscan")
        else:
            plan = queryset.explain()
        assert index in plan, plan
