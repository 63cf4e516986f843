"""Engagement pages show a person only the actions the services would let them take.

The buttons follow the same permission functions the services use (`can_manage`,
`assignable_managers`): a manager looking at another manager's engagement sees no form or
link that would answer 403; its own manager and an owner do.
"""

from __future__ import annotations

import re

import pytest

from sourcewise.core.access import MANAGER
from sourcewise.engagements import guards, offboarding_flow
from sourcewise.engagements.models import Engagement
from tests.conftest import client_for
from tests.engagements.factories import EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.workspaces.factories import MembershipFactory

ACTIONS = {
    "edit": r"/engagements/\d+/edit/",
    "cancel": r"/engagements/\d+/cancel/",
    "activate": r"/engagements/\d+/activate/",
    "checkpoint": r"/engagements/\d+/checkpoints/new/",
    "complete": r"/engagements/\d+/complete/",
    "terminate": r"/engagements/\d+/terminate/",
    "milestone": r"/engagements/\d+/milestones/new/",
    "milestone review": r"/engagements/milestones/\d+/review/",
    "time review": r"/engagements/time/\d+/review/",
}


def _actions(client, engagement) -> set[str]:
    html = client.get(f"/engagements/{engagement.pk}/").content.decode()
    targets = re.findall(r'(?:href|action)="([^"]+)"', html)
    return {name for name, pattern in ACTIONS.items() if any(re.fullmatch(pattern, t) for t in targets)}


@pytest.fixture
def team(owner):
    workspace = owner.workspace
    sam = MembershipFactory(workspace=workspace, role=MANAGER)
    jordan = MembershipFactory(workspace=workspace, role=MANAGER)
    return owner, sam, jordan


def test_the_action_urls_are_the_real_ones(team):
    """Guards the test itself: the patterns above match the pages' actual links."""
    owner, sam, _ = team
    active = EngagementFactory(workspace=owner.workspace, manager=sam, state=Engagement.State.ACTIVE)
    MilestoneFactory(engagement=active, status="submitted")
    TimeEntryFactory(engagement=active)
    assert _actions(client_for(owner), active) == {
        "checkpoint",
        "complete",
        "terminate",
        "milestone",
        "milestone review",
        "time review",
    }


@pytest.mark.parametrize("state", [Engagement.State.DRAFT, Engagement.State.ACTIVE])
def test_a_manager_sees_no_action_on_another_managers_engagement(team, state):
    owner, sam, jordan = team
    engagement = EngagementFactory(workspace=owner.workspace, manager=sam, state=state)
    if state == Engagement.State.ACTIVE:
        MilestoneFactory(engagement=engagement, status="submitted")
        TimeEntryFactory(engagement=engagement)
    assert not guards.can_manage(jordan, engagement)
    page = client_for(jordan).get(f"/engagements/{engagement.pk}/").content.decode()
    assert _actions(client_for(jordan), engagement) == set()
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    # Its own manager and an owner get the actions of that state.
    expected = (
        {"edit", "cancel", "activate", "milestone"}
        if state == Engagement.State.DRAFT
        else {"checkpoint", "complete", "terminate", "milestone", "milestone review", "time review"}
    )
    assert _actions(client_for(sam), engagement) == expected
    assert _actions(client_for(owner), engagement) == expected
    # And the hidden actions are indeed refused to the other manager.
    action = "activate" if state == Engagement.State.DRAFT else "complete"
    assert client_for(jordan).post(f"/engagements/{engagement.pk}/{action}/").status_code == 403


def test_the_handover_form_is_shown_only_to_who_may_save_it(team):
    owner, sam, jordan = team
    engagement = EngagementFactory(workspace=owner.workspace, manager=sam, state=Engagement.State.ACTIVE)
    offboarding = offboarding_flow.start_offboarding(freelancer=engagement.freelancer, actor=owner.user)
    url = f"/engagements/offboarding/{offboarding.pk}/"
    handover_action = f"/engagements/handovers/{offboarding.handovers.get().pk}/"
    for member, shown in ((owner, True), (sam, True), (jordan, False)):
        page = client_for(member).get(url).content.decode()
        assert (f'action="{handover_action}"' in page) is shown, member
        assert ('data-testid="handover-readonly"' in page) is not shown
    refused = client_for(jordan).post(handover_action, {"status": "open", "notes": "x"})
    assert refused.status_code == 403


def test_a_manager_plans_engagements_only_for_themself(team):
    owner, sam, jordan = team
    page = client_for(jordan).get("/engagements/new/").content.decode()
    select = re.search(r'<select name="manager".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d+)"', select)
    assert options == [str(jordan.pk)] and "selected" in select
    page = client_for(owner).get("/engagements/new/").content.decode()
    select = re.search(r'<select name="manager".*?</select>', page, re.S).group(0)
    assert set(re.findall(r'<option value="(\d+)"', select)) == {str(owner.pk), str(sam.pk), str(jordan.pk)}


def test_the_guardrails_guide_links_settings_for_owners_only(team):
    owner, _, jordan = team
    assert 'href="/workspaces/settings/"' not in client_for(jordan).get("/dashboard/guide/").content.decode()
    assert 'href="/workspaces/settings/"' in client_for(owner).get("/dashboard/guide/").content.decode()
