"""Coming-up findings (issue 12 item 6): a finding that will start within 14 days is yielded now
with `starts_on`, shown but not counted until that date, and turns live on it under the same
fingerprint (the stored row keeps its id; its open spell starts that day).

Three rules look ahead: DOCUMENT_MISSING (a required document about to lapse), LOW_TZ_OVERLAP
(a clock change pulls the 28-day overlap below the minimum) and TRIAL_OVERRUN (a trial ending).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from sourcewise.findings.codes import Severity
from sourcewise.findings.engine import evaluate, health_score
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.refresh import ensure_fresh, refresh_full
from sourcewise.findings.registry import Finding
from sourcewise.findings.store import stored_health
from sourcewise.guidance import services as guidance
from tests.engagements.factories import EngagementFactory
from tests.guidance.conftest import PDF, freelancer_with_login
from tests.talent.helpers import freelancer, vet
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2027, 6, 14)


def of(workspace, code, today):
    return [f for f in evaluate(workspace, today=today).findings if f.code == code]


def test_health_score_skips_coming_up_findings_only_when_told_today():
    live = Finding("NO_SOP", Severity.WARNING, "task", 1, "m", "f")
    soon = Finding("NO_SOP", Severity.CRITICAL, "task", 2, "m", "f", starts_on=TODAY + DAY)
    assert health_score([live, soon], TODAY) == 95
    assert health_score([live, soon], TODAY + DAY) == 80  # from its date it counts
    assert health_score([live, soon]) == 80  # backward compatible: a list as given
    assert soon.as_dict()["starts_on"] == "2027-06-15" and "starts_on" not in live.as_dict()


# ---- TRIAL_OVERRUN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "end, starts_on",
    [
        (TODAY - DAY, None),  # ended yesterday, still running: live
        (TODAY, TODAY + DAY),  # ends today: on time today, overruns from tomorrow
        (TODAY + 13 * DAY, TODAY + 14 * DAY),  # overrun 14 days on: coming up
        (TODAY + 14 * DAY, "nothing"),  # 15 days on: not yet
    ],
)
def test_trial_overrun_coming_up_within_14_days(workspace, manager, end, starts_on):
    e = EngagementFactory(workspace=workspace, manager=manager, state="active", end_date=end)
    found = of(workspace, "TRIAL_OVERRUN", TODAY)
    if starts_on == "nothing":
        assert found == []
        return
    [finding] = found
    assert (finding.subject_id, finding.starts_on) == (e.pk, starts_on)
    if starts_on is not None:
        assert f"ends on {end:%d %b %Y}" in finding.message


def test_trial_overrun_coming_up_only_for_an_active_trial(workspace, manager):
    end = TODAY + 3 * DAY
    EngagementFactory(workspace=workspace, manager=manager, state="draft", end_date=end)
    EngagementFactory(workspace=workspace, manager=manager, state="completed", trial_rating=4, end_date=end)
    EngagementFactory(workspace=workspace, manager=manager, state="active", kind="full", end_date=end, budget_cap=None)
    assert of(workspace, "TRIAL_OVERRUN", TODAY) == []


def test_a_coming_up_finding_is_stored_uncounted_and_turns_live_on_its_date(db):
    workspace = WorkspaceFactory(timezone="Europe/London")
    manager = MembershipFactory(workspace=workspace, role="manager")
    e = EngagementFactory(workspace=workspace, manager=manager, state="active", end_date=TODAY + 2 * DAY)
    with time_machine.travel(datetime.datetime(2027, 6, 14, 9, 0, tzinfo=datetime.UTC), tick=False):
        ensure_fresh(workspace)
        row = FindingRecord.objects.get(workspace=workspace, code="TRIAL_OVERRUN")
        assert (row.subject_id, row.starts_on) == (e.pk, TODAY + 3 * DAY)
        assert row in FindingRecord.objects.coming_up(TODAY)
        assert not FindingRecord.objects.counting(TODAY).filter(code="TRIAL_OVERRUN").exists()
        before = stored_health(workspace)
        report = evaluate(workspace)
        assert report.score == before.score and report.counts == before.counts  # in memory = stored
    # Still coming up the day before (a new day: full refresh), live on its date.
    with time_machine.travel(datetime.datetime(2027, 6, 16, 9, 0, tzinfo=datetime.UTC), tick=False):
        ensure_fresh(workspace)
        assert FindingRecord.objects.get(pk=row.pk).starts_on == TODAY + 3 * DAY
    with time_machine.travel(datetime.datetime(2027, 6, 17, 9, 0, tzinfo=datetime.UTC), tick=False):
        ensure_fresh(workspace)
        live = FindingRecord.objects.get(workspace=workspace, code="TRIAL_OVERRUN")
        assert live.pk == row.pk and live.starts_on is None and live.resolved_at is None
        assert live.first_seen > row.first_seen  # its age counts from the day it started
        assert FindingRecord.objects.counting(TODAY + 3 * DAY).filter(pk=row.pk).exists()
        after = stored_health(workspace)
        assert after.counts["warning"] == before.counts["warning"] + 1
        assert evaluate(workspace).counts == after.counts


def test_ending_the_trial_before_its_date_resolves_the_coming_up_finding(db):
    workspace = WorkspaceFactory(timezone="Europe/London")
    manager = MembershipFactory(workspace=workspace, role="manager")
    e = EngagementFactory(workspace=workspace, manager=manager, state="active", end_date=TODAY + 2 * DAY)
    refresh_full(workspace, today=TODAY)
    e.state = "completed"
    e.trial_rating = 4
    e.save()
    refresh_full(workspace, today=TODAY)
    assert FindingRecord.objects.get(workspace=workspace, code="TRIAL_OVERRUN").resolved_at is not None


# ---- DOCUMENT_MISSING ------------------------------------------------------------------------


@pytest.fixture
def documents(owner):
    created = guidance.add_default_document_types(workspace=owner.workspace, actor=owner.user)
    return {t.name: t for t in created}


def upload(person, doc_type, expires_on=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return guidance.upload_document(
        freelancer=person, document_type=doc_type, upload=SimpleUploadedFile("doc.pdf", PDF),
        expires_on=expires_on, actor=person.user, today=TODAY - 30 * DAY,
    )  # fmt: skip


@pytest.mark.parametrize(
    "expires_on, starts_on",
    [
        (TODAY - DAY, None),  # expired yesterday: live
        (TODAY, TODAY + DAY),  # valid through today, lapses tomorrow
        (TODAY + 13 * DAY, TODAY + 14 * DAY),  # lapses 14 days on: coming up
        (TODAY + 14 * DAY, "nothing"),  # 15 days on: not yet
    ],
)
def test_a_document_about_to_lapse_is_coming_up(owner, documents, expires_on, starts_on):
    person = freelancer_with_login(owner.workspace, name="Ines")
    upload(person, documents["NDA"])
    upload(person, documents["Signed agreement"])
    upload(person, documents["Tax form"], expires_on=expires_on)
    found = of(owner.workspace, "DOCUMENT_MISSING", TODAY)
    if starts_on == "nothing":
        assert found == []
        return
    [finding] = found
    assert (finding.subject_id, finding.starts_on) == (person.pk, starts_on)
    if starts_on is not None:
        assert finding.message == f"Ines's required documents expire soon: Tax form (on {expires_on:%d %b %Y})."
        assert "renewed document" in finding.fix


def test_a_live_document_finding_also_names_the_one_about_to_lapse(owner, documents):
    person = freelancer_with_login(owner.workspace, name="Ines")
    upload(person, documents["Signed agreement"])
    upload(person, documents["Tax form"], expires_on=TODAY + 5 * DAY)  # NDA missing: live
    [finding] = of(owner.workspace, "DOCUMENT_MISSING", TODAY)
    assert finding.starts_on is None
    assert finding.message == (
        f"Ines has required documents missing: NDA; expiring soon: Tax form (on {TODAY + 5 * DAY:%d %b %Y})."
    )


def test_a_renewal_uploaded_in_time_clears_the_coming_up_document(owner, documents):
    person = freelancer_with_login(owner.workspace)
    for name in ("NDA", "Signed agreement"):
        upload(person, documents[name])
    upload(person, documents["Tax form"], expires_on=TODAY + 3 * DAY)
    assert [f.starts_on for f in of(owner.workspace, "DOCUMENT_MISSING", TODAY)] == [TODAY + 4 * DAY]
    upload(person, documents["Tax form"], expires_on=TODAY + 400 * DAY)
    assert of(owner.workspace, "DOCUMENT_MISSING", TODAY) == []


# ---- LOW_TZ_OVERLAP --------------------------------------------------------------------------


@pytest.fixture
def berlin(db):
    # Business in Berlin 09–17, minimum 3.5 h. A New Yorker working 08–16 overlaps 3 h in winter,
    # 4 h between the US change (14 Mar 2027) and Berlin's (28 Mar): the 28-day overlap is 3.5 h
    # from 27 Feb to 15 Mar and falls to 3.45 h from 16 March as the window fills with Berlin's summer.
    return WorkspaceFactory(timezone="Europe/Berlin", min_tz_overlap_hours=Decimal("3.5"))


@pytest.mark.parametrize(
    "today, starts_on",
    [
        (D(2027, 3, 1), "nothing"),  # 15 days ahead
        (D(2027, 3, 2), D(2027, 3, 16)),  # exactly 14 days ahead: coming up
        (D(2027, 3, 15), D(2027, 3, 16)),
        (D(2027, 3, 16), None),  # live
    ],
)
def test_overlap_falling_below_the_minimum_after_a_clock_change_is_coming_up(berlin, today, starts_on):
    person = vet(freelancer(berlin, status="approved", zone="America/New_York", hours=("08:00", "16:00"), name="Sam"))
    found = of(berlin, "LOW_TZ_OVERLAP", today)
    if starts_on == "nothing":
        assert found == []
        return
    [finding] = found
    assert (finding.subject_id, finding.starts_on) == (person.pk, starts_on)
    if starts_on is not None:
        assert finding.message == (
            "From 16 Mar 2027, Sam will overlap your business hours 3.4 h a business day (minimum 3.5 h, "
            "3.5 h today): the clocks change in Europe/Berlin on 28 Mar 2027."
        )


def test_no_coming_up_overlap_without_daylight_saving_or_for_people_you_may_not_engage(db):
    kolkata = WorkspaceFactory(timezone="Asia/Kolkata", min_tz_overlap_hours=Decimal("4.5"))
    vet(freelancer(kolkata, status="approved", zone="Asia/Tokyo", name="Aki"))  # 09–17 Tokyo: exactly 4.5 h, all year
    for day in (D(2027, 3, 10), D(2027, 10, 25)):
        assert of(kolkata, "LOW_TZ_OVERLAP", day) == []
    berlin = WorkspaceFactory(timezone="Europe/Berlin", min_tz_overlap_hours=Decimal("3.5"))
    freelancer(berlin, status="prospect", zone="America/New_York", hours=("08:00", "16:00"))
    assert of(berlin, "LOW_TZ_OVERLAP", D(2027, 3, 2)) == []
