"""Engagement pages: the team's and the freelancer's, with constant query counts."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.engagements.models import Engagement, Handover, Offboarding, TimeEntry
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.talent.models import Freelancer
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, ReviewFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory
from tests.workspaces.factories import MembershipFactory


def _own(freelancer_member, **kwargs):
    freelancer = Freelancer.objects.get(user=freelancer_member.user)
    return EngagementFactory(workspace=freelancer_member.workspace, freelancer=freelancer, **kwargs)


def test_plan_a_draft_see_what_blocks_it_and_start_it(owner_client, owner, manager):
    workspace = owner.workspace
    freelancer, task = (
        FreelancerFactory(workspace=workspace, name="Ada"),
        ReadyTaskFactory(workspace=workspace, name="Inbox"),
    )
    form = {
        "freelancer": freelancer.pk, "task": task.pk, "manager": "", "kind": "trial", "billing": "hourly",
        "rate": "20", "currency": "EUR", "budget_cap": "30", "start_date": "2026-03-02", "end_date": "2026-03-10",
    }  # fmt: skip
    response = owner_client.post("/engagements/new/", form)
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/engagements/{engagement.pk}/"
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Before it can start" in page and "No manager" in page and "at most 20 hours" in page
    refused = owner_client.post(f"/engagements/{engagement.pk}/activate/", follow=True).content.decode()
    assert "It cannot start yet" in refused and "No manager" in refused
    assert Engagement.objects.get().state == "draft"
    form.update(manager=manager.pk, budget_cap="20")
    assert owner_client.post(f"/engagements/{engagement.pk}/edit/", form).status_code == 302
    assert "Ready to start" in owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    owner_client.post(f"/engagements/{engagement.pk}/activate/")
    assert Engagement.objects.get().state == "active"


def test_complete_a_trial_with_its_rating_and_terminate(owner_client, owner, manager):
    trial = EngagementFactory(workspace=owner.workspace, manager=manager, state="active")
    page = owner_client.post(f"/engagements/{trial.pk}/complete/", {"completion_note": "ok"}).content.decode()
    assert "Rate the trial from 1 to 5" in page and Engagement.objects.get(pk=trial.pk).state == "active"
    owner_client.post(f"/engagements/{trial.pk}/complete/", {"trial_rating": "4", "completion_note": "ok"})
    assert Engagement.objects.get(pk=trial.pk).trial_rating == 4
    full = EngagementFactory(workspace=owner.workspace, manager=manager, state="active", kind="full")
    owner_client.post(f"/engagements/{full.pk}/terminate/", {"termination_reason": "Budget cut"})
    assert Engagement.objects.get(pk=full.pk).state == "terminated"


def test_engagement_list_is_paginated_filterable_and_constant_in_queries(owner_client, owner, manager):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    for _ in range(5):
        EngagementFactory(workspace=owner.workspace, manager=manager)
    few, _ = count("/engagements/")
    for _ in range(55):
        EngagementFactory(workspace=owner.workspace, manager=manager, state="active")
    many, body = count("/engagements/")
    # Keyset pages (engagements.paging): how many match, and a "Next" link while more follow.
    assert few == many and "60 in all" in body and 'rel="next"' in body
    assert 'rel="next"' not in owner_client.get("/engagements/?state=draft").content.decode()
    fragment = owner_client.get("/engagements/?state=draft", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.count("badge sev-info") == 5


def test_engagement_page_is_constant_in_queries(owner_client, owner, manager):
    e = EngagementFactory(workspace=owner.workspace, manager=manager, state="active")
    MilestoneFactory(engagement=e)
    ReviewFactory(engagement=e)
    TimeEntryFactory(engagement=e)
    # The writes above left findings to refresh: applied first, so the page itself is measured.
    ensure_fresh(owner.workspace)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(f"/engagements/{e.pk}/")
    for _ in range(10):
        MilestoneFactory(engagement=e, status="submitted", deliverable_text="x")
        ReviewFactory(engagement=e)
        TimeEntryFactory(engagement=e, status="approved", reviewed_by=manager.user)
    ensure_fresh(owner.workspace)
    with CaptureQueriesContext(connection) as many:
        body = owner_client.get(f"/engagements/{e.pk}/").content.decode()
    assert len(few) == len(many)
    # 10 approved entries of 2 h; the submitted one does not count. Fees: 20 h × 25.00 USD.
    assert 'data-testid="approved-hours">20.00<' in body and "500.00 USD" in body


def test_a_freelancer_sees_only_their_own_engagements(freelancer_client, freelancer_member):
    mine = _own(freelancer_member, state="active")
    theirs = EngagementFactory(workspace=freelancer_member.workspace, state="active")
    listing = freelancer_client.get("/engagements/").content.decode()
    assert "My engagements" in listing and mine.task.name in listing and theirs.task.name not in listing
    assert freelancer_client.get(f"/engagements/{mine.pk}/").status_code == 200
    # Another freelancer's engagement in the same workspace is simply not there.
    assert freelancer_client.get(f"/engagements/{theirs.pk}/").status_code == 404
    assert (
        freelancer_client.post(f"/engagements/{theirs.pk}/time/", {"date": "2026-03-03", "hours": "1"}).status_code
        == 404
    )
    milestone = MilestoneFactory(engagement=theirs)
    assert freelancer_client.post(f"/engagements/milestones/{milestone.pk}/submit/", {"text": "x"}).status_code == 404
    for url in ("/engagements/new/", "/engagements/time/", "/engagements/managers/", "/engagements/offboarding/"):
        assert freelancer_client.get(url).status_code == 403
    assert not TimeEntry.objects.exists()


def test_freelancer_logs_hours_and_hands_in_a_deliverable(freelancer_client, freelancer_member):
    mine = _own(freelancer_member, state="active")
    milestone = MilestoneFactory(engagement=mine)
    page = freelancer_client.get(f"/engagements/{mine.pk}/").content.decode()
    assert "Log hours" in page and "Hand in" in page and "Checkpoint reviews" not in page
    response = freelancer_client.post(
        f"/engagements/{mine.pk}/time/", {"date": "2026-03-03", "hours": "2.5", "note": "Inbox"}, follow=True
    )
    assert "2.5 hours logged" in response.content.decode()
    assert TimeEntry.objects.get().hours == Decimal("2.5")
    bad = freelancer_client.post(f"/engagements/{mine.pk}/time/", {"date": "2026-03-03", "hours": "25"}, follow=True)
    assert "Hours: Ensure this value is less than or equal to 24" in bad.content.decode()
    freelancer_client.post(f"/engagements/milestones/{milestone.pk}/submit/", {"text": "Done", "link": ""})
    assert milestone.__class__.objects.get(pk=milestone.pk).status == "submitted"


def test_manager_approves_hours_inline_with_htmx(manager_client, manager, freelancer_member):
    mine = _own(freelancer_member, state="active", manager=manager)
    entry = TimeEntryFactory(engagement=mine, hours=Decimal("3"))
    approvals = manager_client.get("/engagements/time/").content.decode()
    assert f'id="time-{entry.pk}"' in approvals
    row = manager_client.post(
        f"/engagements/time/{entry.pk}/review/", {"decision": "approve"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert row.startswith(f'<tr id="time-{entry.pk}"') and "Approved" in row
    assert TimeEntry.objects.get(pk=entry.pk).status == "approved"
    other = TimeEntryFactory(engagement=mine)
    row = manager_client.post(
        f"/engagements/time/{other.pk}/review/", {"decision": "return"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Say what is wrong" in row and TimeEntry.objects.get(pk=other.pk).status == "submitted"


def test_time_approvals_show_a_manager_only_their_engagements(manager_client, manager):
    mine = EngagementFactory(workspace=manager.workspace, manager=manager, state="active")
    someone_else = EngagementFactory(workspace=manager.workspace, state="active")
    TimeEntryFactory(engagement=mine, note="mine-entry")
    TimeEntryFactory(engagement=someone_else, note="other-entry")
    with CaptureQueriesContext(connection) as few:
        body = manager_client.get("/engagements/time/").content.decode()
    assert "mine-entry" in body and "other-entry" not in body
    for _ in range(10):
        TimeEntryFactory(engagement=mine)
    with CaptureQueriesContext(connection) as many:
        manager_client.get("/engagements/time/")
    assert len(few) == len(many)


def test_checkpoint_review_and_milestone_review_pages(manager_client, manager, freelancer_member):
    mine = _own(freelancer_member, state="active", manager=manager)
    response = manager_client.post(
        f"/engagements/{mine.pk}/checkpoints/new/",
        {"date": START.isoformat(), "quality": "4", "timeliness": "5", "communication": "3", "notes": "Solid"},
    )
    assert response.status_code == 302 and mine.reviews.get().notes == "Solid"
    milestone = MilestoneFactory(engagement=mine, status="submitted", deliverable_text="x")
    manager_client.post(f"/engagements/milestones/{milestone.pk}/review/", {"decision": "return", "note": "Redo"})
    assert milestone.__class__.objects.get(pk=milestone.pk).status == "returned"
    created = manager_client.post(
        f"/engagements/{mine.pk}/milestones/new/",
        {"title": "Report", "acceptance_criteria": "Numbers match", "due_date": "2026-04-01"},
    )
    assert created.status_code == 302 and mine.milestones.filter(title="Report").exists()


def test_managers_page_shows_load_and_each_managers_engagements(owner_client, owner, manager):
    for _ in range(9):
        EngagementFactory(workspace=owner.workspace, manager=manager, state="active")
    stranger = MembershipFactory(role="manager")
    with CaptureQueriesContext(connection) as queries:
        body = owner_client.get("/engagements/managers/").content.decode()
    assert "overloaded" in body and len(queries) <= 12
    detail = owner_client.get(f"/engagements/managers/{manager.pk}/").content.decode()
    assert "9 active engagements" in detail and "more than 8" in detail
    assert owner_client.get(f"/engagements/managers/{stranger.pk}/").status_code == 404


def test_managers_page_lists_the_busiest_first_counting_active_engagements_only(owner_client, owner, manager):
    other = MembershipFactory(workspace=owner.workspace, role="manager")
    for state in ("active", "active", "terminated", "draft"):
        EngagementFactory(workspace=owner.workspace, manager=other, state=state)
    EngagementFactory(workspace=owner.workspace, manager=manager, state="active")
    EngagementFactory(manager=MembershipFactory(role="manager"), state="active")  # another workspace
    body = owner_client.get("/engagements/managers/").content.decode()
    rows = re.findall(r'href="/engagements/managers/(\d+)/".*?<td data-label="Active engagements">(\d+)', body, re.S)
    assert rows == [(str(other.pk), "2"), (str(manager.pk), "1"), (str(owner.pk), "0")]


def test_offboarding_pages(owner_client, owner, manager):
    leaving = FreelancerFactory(workspace=owner.workspace, name="Leaving Person")
    e = EngagementFactory(workspace=owner.workspace, manager=manager, freelancer=leaving, state="active")
    response = owner_client.post("/engagements/offboarding/", {"freelancer": leaving.pk, "reason": "New job"})
    offboarding = Offboarding.objects.get()
    assert response["Location"] == f"/engagements/offboarding/{offboarding.pk}/"
    page = owner_client.get(response["Location"]).content.decode()
    handover = Handover.objects.get()
    # The ranked replacements load after the page (htmx), with the handover's form.
    ranked = f"/engagements/handovers/{handover.pk}/candidates/"
    assert e.task.name in page and ranked in page
    page = owner_client.get(ranked, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in page and "Nobody else has any skill this task needs" in page  # nobody else yet
    successor = FreelancerFactory(workspace=owner.workspace, status="prospect")
    page = owner_client.get(ranked).content.decode()
    # Ranked by the match score; a hard failure (here: not vetted) is shown next to the score.
    assert f'data-freelancer="{successor.pk}"' in page and "/100" in page and "not vetted" in page.lower()
    owner_client.post(
        f"/engagements/handovers/{handover.pk}/", {"status": "done", "replacement": successor.pk, "notes": "ok"}
    )
    assert Offboarding.objects.get().status == "done"
    assert "1 of 1" in owner_client.get("/engagements/offboarding/").content.decode()


def test_the_plan_form_of_a_new_workspace_says_what_to_add_first(owner_client, owner):
    """No freelancers and no tasks: two empty drop-downs would say nothing, the page says why and links
    to where each is added; each line goes once that thing exists (another workspace's don't count)."""
    FreelancerFactory()  # another workspace's
    page = owner_client.get("/engagements/new/").content.decode()
    assert "has no freelancers and no tasks yet" in page
    assert 'href="/talent/freelancers/new/">Add a freelancer</a>, then <a href="/tasks/new/">List a task</a>' in page
    FreelancerFactory(workspace=owner.workspace)
    page = owner_client.get("/engagements/new/").content.decode()
    assert "has no tasks yet" in page and "Add a freelancer" not in page
    ReadyTaskFactory(workspace=owner.workspace)
    assert 'data-testid="first-add"' not in owner_client.get("/engagements/new/").content.decode()
