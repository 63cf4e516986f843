"""A fix action reads the finding's subject as what it is: UNVETTED_FREELANCER is raised on
freelancers and on engagements, and a freelancer's id is never looked up as an engagement's."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sourcewise.findings.actions import ActionContext, action_for
from sourcewise.findings.models import FindingRecord
from tests.engagements.factories import EngagementFactory


def _record(workspace, code, subject_type, subject_id) -> FindingRecord:
    return FindingRecord(workspace=workspace, code=code, subject_type=subject_type, subject_id=subject_id)


def test_unvetted_freelancer_on_a_freelancer_opens_that_freelancers_vetting(owner):
    engagement = EngagementFactory(workspace=owner.workspace)
    if engagement.freelancer_id == engagement.pk:  # the test could not tell the two readings apart
        engagement = EngagementFactory(workspace=owner.workspace, freelancer=engagement.freelancer)
    # A freelancer whose id is also an engagement's (ids of different tables meet at 100,000):
    # the action must not take the engagement's freelancer for them, nor read the engagement.
    subject_id = engagement.pk
    record = _record(owner.workspace, "UNVETTED_FREELANCER", "freelancer", subject_id)
    with CaptureQueriesContext(connection) as queries:
        action = action_for(record, ActionContext(membership=owner))
    assert len(queries) == 0
    assert action is not None and action.label == "Open their vetting"
    assert action.url == reverse("talent:freelancer_detail", args=[subject_id]) + "#vetting"


def test_unvetted_freelancer_on_an_engagement_opens_its_freelancers_vetting(owner):
    engagement = EngagementFactory(workspace=owner.workspace)
    action = action_for(_record(owner.workspace, "UNVETTED_FREELANCER", "engagement", engagement.pk),
                        ActionContext(membership=owner))  # fmt: skip
    assert action is not None
    assert action.url == reverse("talent:freelancer_detail", args=[engagement.freelancer_id]) + "#vetting"


def test_engagement_fixes_ignore_findings_about_other_subjects(owner):
    engagement = EngagementFactory(workspace=owner.workspace, manager=None)
    for code in ("NO_MANAGER", "CHECKPOINT_OVERDUE", "NO_TRIAL", "SOP_NOT_ACKNOWLEDGED"):
        assert action_for(_record(owner.workspace, code, "engagement", engagement.pk), ActionContext(membership=owner))
        with CaptureQueriesContext(connection) as queries:
            other = action_for(_record(owner.workspace, code, "task", engagement.pk), ActionContext(membership=owner))
        assert other is None and len(queries) == 0, code
