"""The work pages stay bounded at 100,000 engagements (SPEC §6 P6, bench/pages_work.py):
keyset pages that cost the same at any depth, bounded selects, no query per row."""

from __future__ import annotations

import datetime
import re

from sourcewise.engagements.models import Engagement, Handover, Offboarding, TimeEntry
from sourcewise.engagements.paging import decode
from tests.conftest import client_for
from tests.engagements.factories import START, EngagementFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory
from tests.workspaces.factories import MembershipFactory

NEXT = re.compile(r'<a href="([^"]*)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]*)" rel="prev">')


def _ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/engagements/(\d+)/"', body)]


def _walk(client, url: str, link: re.Pattern[str]) -> list[list[int]]:
    pages = []
    while True:
        body = client.get(url).content.decode()
        pages.append(_ids(body))
        found = link.search(body)
        if not found:
            return pages
        url = "/engagements/" + found.group(1).replace("&amp;", "&")


def _many(workspace, manager, n: int, **kwargs) -> list[Engagement]:
    """n engagements over a few start dates (ties on the date: the id decides the order)."""
    task = ReadyTaskFactory(workspace=workspace)
    return [
        EngagementFactory(
            workspace=workspace, manager=manager, task=task, start_date=START - datetime.timedelta(days=i % 4), **kwargs
        )
        for i in range(n)
    ]


def test_the_list_walks_every_engagement_once_by_next_and_back_by_previous(owner_client, owner, manager):
    made = _many(owner.workspace, manager, 120, state="active")
    _many(owner.workspace, manager, 3, state="draft")
    expected = [e.pk for e in sorted(made, key=lambda e: (e.start_date, e.pk), reverse=True)]
    forward = _walk(owner_client, "/engagements/?state=active", NEXT)
    assert [len(p) for p in forward] == [50, 50, 20]
    assert [pk for page in forward for pk in page] == expected  # newest first, each once, the filter kept
    last = owner_client.get("/engagements/?state=active").content.decode()
    assert "123 in all" not in last and "120 in all" in last
    # From the last page back to the first by "Previous".
    third = NEXT.search(
        owner_client.get("/engagements/" + NEXT.search(last).group(1).replace("&amp;", "&")).content.decode()
    )
    backward = _walk(owner_client, "/engagements/" + third.group(1).replace("&amp;", "&"), PREVIOUS)
    assert backward == forward[::-1]


def test_a_late_page_costs_the_queries_of_the_first(owner_client, owner, manager, django_assert_max_num_queries):
    _many(owner.workspace, manager, 160)
    first = owner_client.get("/engagements/").content.decode()
    with django_assert_max_num_queries(12) as counted:
        owner_client.get("/engagements/")
    first_queries = len(counted)
    url = "/engagements/" + NEXT.search(first).group(1)
    for _ in range(2):
        url = "/engagements/" + NEXT.search(owner_client.get(url).content.decode()).group(1)
    with django_assert_max_num_queries(first_queries):
        late = owner_client.get(url)
    assert len(_ids(late.content.decode())) == 10


def test_a_cursor_that_is_not_one_gives_the_first_page(owner_client, owner, manager):
    _many(owner.workspace, manager, 55)
    first = _ids(owner_client.get("/engagements/").content.decode())
    for bad in ("nonsense", "2026-99-01.3", "2026-03-01.x", ""):
        assert _ids(owner_client.get(f"/engagements/?after={bad}").content.decode()) == first
        assert _ids(owner_client.get(f"/engagements/?before={bad}").content.decode()) == first
    assert decode("2026-03-02.17") == (START, 17)


def test_pages_never_show_another_workspaces_engagements(owner_client, owner, manager):
    mine = {e.pk for e in _many(owner.workspace, manager, 60)}
    stranger = MembershipFactory(role="manager")
    theirs = _many(stranger.workspace, stranger, 60)
    shown = [pk for page in _walk(owner_client, "/engagements/", NEXT) for pk in page]
    assert set(shown) == mine and "60 in all" in owner_client.get("/engagements/").content.decode()
    # A cursor taken from the other workspace's rows still shows only this workspace's.
    cursor = f"{theirs[0].start_date.isoformat()}.{theirs[-1].pk + 1}"
    assert set(_ids(owner_client.get(f"/engagements/?after={cursor}").content.decode())) <= mine


def test_a_managers_page_pages_their_active_engagements(owner_client, owner, manager):
    _many(owner.workspace, manager, 55, state="active")
    _many(owner.workspace, manager, 2, state="terminated")
    body = owner_client.get(f"/engagements/managers/{manager.pk}/").content.decode()
    assert "55 active engagements" in body and len(_ids(body)) == 50
    rest = owner_client.get(f"/engagements/managers/{manager.pk}/" + NEXT.search(body).group(1)).content.decode()
    assert len(_ids(rest)) == 5


def _waiting(engagement, n: int, first: datetime.date) -> list[TimeEntry]:
    return [
        TimeEntryFactory(engagement=engagement, date=first + datetime.timedelta(days=i % 3), status="submitted")
        for i in range(n)
    ]


def test_hours_to_approve_oldest_first_in_keyset_pages_a_manager_sees_their_own(
    owner_client, manager_client, owner, manager, django_assert_max_num_queries
):
    workspace = owner.workspace
    other = MembershipFactory(workspace=workspace, role="manager")
    trials = [EngagementFactory(workspace=workspace, manager=manager, state="active") for _ in range(6)]
    entries = [e for t in trials for e in _waiting(t, 9, START)]
    theirs = _waiting(EngagementFactory(workspace=workspace, manager=other, state="active"), 4, START)
    _waiting(EngagementFactory(manager__role="manager", state="active"), 3, START)  # another workspace
    expected = [e.pk for e in sorted(entries + theirs, key=lambda e: (e.date, e.pk))]

    def walk(client) -> list[int]:
        url, shown = "/engagements/time/", []
        while url:
            body = client.get(url).content.decode()
            shown += [int(pk) for pk in re.findall(r'name="entries" value="(\d+)"', body)]
            found = NEXT.search(body)
            url = "/engagements/time/" + found.group(1).replace("&amp;", "&") if found else ""
        return shown

    assert walk(owner_client) == expected
    assert walk(manager_client) == [pk for pk in expected if pk not in {e.pk for e in theirs}]
    # Six trials on the page: their usage is read at once, not one query (or workspace) per trial.
    with django_assert_max_num_queries(13):
        body = owner_client.get("/engagements/time/").content.decode()
    assert body.count("of 20 trial hours used") == 50


def test_offboarding_offers_a_bounded_list_and_finds_anyone_by_name(owner_client, owner, manager):
    workspace = owner.workspace
    task = ReadyTaskFactory(workspace=workspace)
    for i in range(60):
        EngagementFactory(workspace=workspace, manager=manager, task=task, state="active",
                          start_date=START - datetime.timedelta(days=i))  # fmt: skip
    quiet = FreelancerFactory(workspace=workspace, name="Zora Quiet")  # no engagement
    FreelancerFactory(name="Zora Elsewhere")  # another workspace
    gone = EngagementFactory(workspace=workspace, task=task, state="active", start_date=START, freelancer__name="Gone")
    Offboarding.objects.create(workspace=workspace, freelancer=gone.freelancer)  # the newest, already leaving
    body = owner_client.get("/engagements/offboarding/").content.decode()
    select = body[body.index('name="freelancer"') : body.index("</select>", body.index('name="freelancer"'))]
    assert select.count("<option") == 51 and "Zora" not in select  # 50 people and the blank
    assert f'value="{gone.freelancer_id}"' not in select
    found = owner_client.get("/engagements/offboarding/?who=zora").content.decode()
    assert "Zora Quiet" in found and "Zora Elsewhere" not in found
    # Anyone of the workspace can be chosen, shown or not.
    response = owner_client.post("/engagements/offboarding/", {"freelancer": quiet.pk, "reason": "Moving"})
    assert response.status_code == 302 and Offboarding.objects.get(freelancer=quiet)
    elsewhere = FreelancerFactory(name="Far Away")
    refused = owner_client.post("/engagements/offboarding/", {"freelancer": elsewhere.pk})
    assert refused.status_code == 200 and Offboarding.objects.count() == 2


def test_an_offboarding_page_ranks_replacements_after_it_loads_and_offers_only_them(
    owner_client, manager_client, owner, manager, django_assert_max_num_queries
):
    workspace = owner.workspace
    leaving = FreelancerFactory(workspace=workspace, name="Leaving")
    task = ReadyTaskFactory(workspace=workspace)
    engagements = [
        EngagementFactory(workspace=workspace, manager=manager, freelancer=leaving, task=task, state="active")
        for _ in range(3)
    ]
    successors = [FreelancerFactory(workspace=workspace, status="approved") for _ in range(8)]
    offboarding = Offboarding.objects.create(workspace=workspace, freelancer=leaving)
    handovers = [
        Handover.objects.create(workspace=workspace, offboarding=offboarding, engagement=e) for e in engagements
    ]
    Handover.objects.filter(pk=handovers[0].pk).update(status="done", replacement=successors[7])
    url = f"/engagements/offboarding/{offboarding.pk}/"
    owner_client.get(url)
    # No ranking in the page itself: a fixed number of queries, whatever the network's size.
    with django_assert_max_num_queries(10):
        body = owner_client.get(url).content.decode()
    assert 'data-freelancer="' not in body and body.count('data-testid="replacements-later"') == 2
    assert body.count(f'<option value="{successors[7].pk}" selected>') == 1  # the done one keeps its choice
    # The ranked ones, with the form offering them only (not the whole network).
    ranked = owner_client.get(
        f"/engagements/handovers/{handovers[1].pk}/candidates/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in ranked and ranked.count('data-freelancer="') == 5
    assert ranked.count("<option") == 3 + 1 + 5  # status (3), blank + the five ranked
    assert f'action="/engagements/handovers/{handovers[1].pk}/"' in ranked
    with django_assert_max_num_queries(11):  # the whole page too (opened without htmx); 14 before
        page = owner_client.get(f"/engagements/handovers/{handovers[1].pk}/candidates/").content.decode()
    assert "Leaving is leaving" in page and page.count('data-freelancer="') == 5
    # Another workspace's handover is not there.
    stranger = MembershipFactory(role="owner")
    assert client_for(stranger).get(f"/engagements/handovers/{handovers[1].pk}/candidates/").status_code == 404
