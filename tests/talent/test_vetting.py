from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sourcewise.audit.models import AuditEvent
from sourcewise.talent import services
from sourcewise.talent.models import Freelancer
from tests.talent.helpers import freelancer, vet


def approve(f, actor=None):
    return services.change_status(freelancer=f, actor=actor, status="approved")


def test_approval_is_refused_with_every_missing_step_listed(owner):
    f = freelancer(owner.workspace, status="vetting")
    with pytest.raises(ValidationError) as refused:
        approve(f, owner.user)
    messages = refused.value.messages
    assert [m.split(":")[0] for m in messages] == ["Portfolio reviewed", "References", "Interview", "Trial"]
    f.refresh_from_db()
    assert f.status == "vetting"
    assert not AuditEvent.objects.filter(action="freelancer.approve").exists()


def test_approval_with_every_step_done_is_recorded(owner):
    f = vet(freelancer(owner.workspace, status="vetting"))
    approve(f, owner.user)
    f.refresh_from_db()
    assert f.status == "approved" and f.status_changed_at is not None
    event = AuditEvent.objects.get(action="freelancer.approve")
    assert event.actor == owner.user and event.changes == {"status": ["vetting", "approved"]}


@pytest.mark.parametrize("refs, ok", [((4, 4), True), ((4,), False), ((4, 3), True), ((4, 3, 3), False)])
def test_references_two_needed_averaging_at_least_3_5(owner, refs, ok):
    # (4, 3) averages exactly 3.5 → enough; (4, 3, 3) averages 3.33 → weak.
    f = vet(freelancer(owner.workspace, status="vetting"), refs=refs)
    if ok:
        approve(f)
    else:
        with pytest.raises(ValidationError, match="References"):
            approve(f)


def test_reference_average_threshold_is_exact(owner):
    ws = owner.workspace
    ws.min_reference_average = Decimal("3.51")
    ws.save()
    f = vet(freelancer(ws, status="vetting"), refs=(4, 3))  # 3.5 < 3.51
    with pytest.raises(ValidationError, match=r"3\.50 is below 3\.51"):
        approve(f)


@pytest.mark.parametrize("rating, ok", [(3, True), (2, False)])
def test_trial_must_be_rated_at_least_the_workspace_minimum(owner, rating, ok):
    f = vet(freelancer(owner.workspace, status="vetting"), trial=rating)
    if ok:
        approve(f)
    else:
        with pytest.raises(ValidationError, match="Trial: The trial was rated 2/5"):
            approve(f)


def test_unrated_portfolio_is_not_a_review(owner):
    f = vet(freelancer(owner.workspace, status="vetting"), portfolio=None)
    services.add_portfolio_item(freelancer=f, actor=owner.user, title="Site")
    with pytest.raises(ValidationError, match="Rate at least one portfolio item"):
        approve(f)
    item = f.portfolio.get()
    services.review_portfolio_item(item=item, actor=owner.user, rating=4)
    item.refresh_from_db()
    assert item.reviewed_by == owner.user and item.reviewed_at is not None
    approve(Freelancer.objects.get(pk=f.pk))


def test_impossible_transitions_are_refused(owner):
    f = freelancer(owner.workspace, status="prospect")
    with pytest.raises(ValidationError, match="Possible next steps: Vetting, Rejected"):
        services.change_status(freelancer=f, actor=None, status="active")
    services.change_status(freelancer=f, actor=None, status="vetting")
    services.change_status(freelancer=f, actor=None, status="rejected")
    f.refresh_from_db()
    assert f.status == "rejected"


def test_reference_needs_a_comment_and_a_rating_in_range(owner):
    f = freelancer(owner.workspace)
    with pytest.raises(ValidationError):
        services.add_reference(freelancer=f, actor=None, client_name="A", contact="a@x.org", rating=4, comment=" ")
    with pytest.raises(ValidationError):
        services.add_reference(freelancer=f, actor=None, client_name="A", contact="a@x.org", rating=6, comment="ok")
    assert not f.references.exists()


def test_vetting_pages_record_steps_and_show_a_refused_approval(owner_client, owner):
    f = freelancer(owner.workspace, status="vetting")
    base = f"/talent/freelancers/{f.pk}"
    data = {"reference-client_name": "Harbour Cafe", "reference-contact": "x@y.org", "reference-rating": "5",
            "reference-comment": "Great"}  # fmt: skip
    r = owner_client.post(f"{base}/references/", data)
    assert r.status_code == 302 and f.references.count() == 1
    bad = owner_client.post(f"{base}/interviews/", {"interview-held_on": "2026-01-05", "interview-communication": "9"})
    assert bad.status_code == 422 and not f.interviews.exists()
    r = owner_client.post(f"{base}/status/", {"status": "approved"})
    body = r.content.decode()
    assert r.status_code == 422 and "Not moved" in body and "1 of the 2 references" in body
    board = owner_client.post(
        f"{base}/status/", {"status": "approved", "from": "board"}, headers={"HX-Request": "true"}
    )
    assert "was not moved" in board.content.decode() and "<html" not in board.content.decode()
    f.refresh_from_db()
    assert f.status == "vetting"
