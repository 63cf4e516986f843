"""The outsourcing map at scale (SPEC §6 P6): hours summed in SQL, each quadrant lists its largest
tasks only, a fixed number of queries however many tasks."""

from __future__ import annotations

from decimal import Decimal

from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import MAP_SHOWN, outsourced_share_pct, outsourcing_map, workspace_tasks
from tests.tasks.helpers import make_task
from tests.workspaces.factories import WorkspaceFactory


def test_the_sums_in_sql_equal_the_tasks_hours(owner):
    workspace = owner.workspace
    for i in range(7):
        make_task(workspace, name=f"Out {i}", sourcing="outsource", hours=Decimal("12.25") + i, ready=False)
        make_task(workspace, name=f"In {i}", hours=Decimal("3.10") * (i + 1), ready=False)
    make_task(workspace, name="Once", frequency="one_off", hours=Decimal("400"), ready=False)  # not monthly
    make_task(workspace, name="Gone", hours=Decimal("99"), ready=False, archived_at="2026-01-01T00:00Z")
    make_task(WorkspaceFactory(), name="Elsewhere", hours=Decimal("500"), ready=False)
    tasks = list(workspace_tasks(workspace))
    result = outsourcing_map(workspace, Task.objects.in_workspace(workspace))
    assert result.monthly_hours == sum(t.monthly_hours for t in tasks) == Decimal("193.55")
    assert result.outsourced_monthly_hours == Decimal("106.75")
    assert result.share_pct == outsourced_share_pct(tasks)
    assert len(result.entries) == 15


def test_each_quadrant_lists_its_largest_tasks_and_says_how_many(owner_client, owner, django_assert_max_num_queries):
    workspace = owner.workspace
    for i in range(MAP_SHOWN + 5):
        make_task(workspace, name=f"Ready {i:02d}", hours=Decimal(i + 1), sop=False)
    make_task(workspace, name="Core one", yes=3)
    with django_assert_max_num_queries(12):
        page = owner_client.get("/tasks/map/").content.decode()
    quadrant = page.split('data-quadrant="non_core_not_ready"', 1)[1].split("</section>", 1)[0]
    assert f"({MAP_SHOWN + 5})" in quadrant and quadrant.count("<li>") == MAP_SHOWN
    assert "Ready 16" in quadrant and "Ready 00" not in quadrant  # the largest first
    assert f"The {MAP_SHOWN} largest by monthly hours of {MAP_SHOWN + 5}" in quadrant
    core = page.split('data-quadrant="core_ready"', 1)[1].split("</section>", 1)[0]
    assert "Core one" in core and "quadrant-more" not in core
