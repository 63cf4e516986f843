"""The engagements search (`selectors.search`): the same engagements whichever way it reads them."""

from __future__ import annotations

import pytest

from sourcewise.engagements import selectors
from sourcewise.engagements.models import Engagement
from tests.engagements.factories import EngagementFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import TaskFactory


@pytest.fixture
def engagements(workspace):
    design, ads = TaskFactory(workspace=workspace, name="Logo design"), TaskFactory(workspace=workspace, name="Ads")
    ana, bob = (
        FreelancerFactory(workspace=workspace, name="Ana Design"),
        FreelancerFactory(workspace=workspace, name="Bob"),
    )
    for task, person in [(design, bob), (design, bob), (ads, ana), (ads, bob), (design, ana)]:
        EngagementFactory(workspace=workspace, task=task, freelancer=person)
    EngagementFactory(task__name="Other design", freelancer__name="Elsewhere")  # another workspace
    return Engagement.objects.filter(workspace=workspace)


def _ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("rows, people, counted", [(2000, 1000, True), (3, 1000, False), (3, 1, False)])
def test_a_search_finds_the_engagements_of_matching_people_or_tasks(
    engagements, workspace, monkeypatch, rows, people, counted
):
    """Counted when few (by ids), uncounted by ids when many engagements, by the join when many
    people or tasks match: always the engagements whose freelancer or task name matches."""
    monkeypatch.setattr(selectors, "SEARCH_ROWS", rows)
    monkeypatch.setattr(selectors, "SEARCH_PEOPLE", people)
    found, countable = selectors.search(engagements, workspace, "design")
    expected = engagements.filter(task__name__icontains="design") | engagements.filter(
        freelancer__name__icontains="design"
    )
    assert countable is counted
    assert _ids(found) == _ids(expected) and len(_ids(found)) == 4


def test_a_many_engagements_search_reads_them_by_the_indexes_not_the_join(engagements, workspace, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_ROWS", 3)
    found, _ = selectors.search(engagements, workspace, "design")
    sql = str(found.query)
    assert "LIKE" not in sql.upper() and "task_id" in sql
