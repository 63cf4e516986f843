"""Demo: Lumen Studio's engagements — every state, every engagement finding, one offboarding.

The story goes through the services (so guards and audit rows are real): before a start
the freelancer acknowledges the SOPs of the task, as they would in their portal. Where the
story needs an engagement the guards would refuse today — work that began before Lumen used
Sourcewise, or before a freelancer's status or an SOP changed — `started_earlier` sets it
active directly and a comment says why. Those are what the findings are about.

That is the "Every classic mistake" workspace (`ctx.mistakes`): every engagement finding.
In Lumen Studio most work starts through the guards; what is left: Maria has the revised
support playbook to read, Priya's checkpoint is overdue, Jordan is not trained yet (guidance)
and An — who is leaving — is the only approved video editor (talent).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from sourcewise.engagements import checkpoints, lifecycle, milestones, offboarding_flow, timesheets
from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.guidance.selectors import unacknowledged_sops
from sourcewise.guidance.services import acknowledge_sop
from sourcewise.talent.services import change_status
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps


def _d(value: str) -> Decimal:
    return Decimal(value)


def build(ctx: DemoContext) -> None:
    ws = ctx.workspace
    owner = ctx.users["owner"]
    sam_user, jordan_user = ctx.users["sam"], ctx.users["jordan"]
    sam = Membership.objects.get(user=sam_user, workspace=ws)
    jordan = Membership.objects.get(user=jordan_user, workspace=ws)
    f, t = ctx.freelancers, ctx.tasks
    day = ctx.days_ago
    mistakes = ctx.mistakes

    def member_of(user: Any) -> Membership:
        return Membership.objects.get(user=user, workspace=ws)

    def draft(
        key: str, task: str, manager: Membership | None, kind: str, rate: str, currency: str, **terms: Any
    ) -> Engagement:
        return lifecycle.create_draft(
            workspace=ws,
            actor=owner,
            freelancer=f[key],
            task=t[task],
            manager=manager,
            kind=kind,
            billing=terms.pop("billing", "hourly"),
            rate=_d(rate),
            currency=currency,
            **terms,
        )

    def review(e: Engagement, by: Membership, days_ago: int, q: int, tl: int, c: int, notes: str) -> None:
        checkpoints.record_checkpoint(
            engagement=e, membership=by, date=day(days_ago), quality=q, timeliness=tl, communication=c, notes=notes
        )

    def start(e: Engagement, earlier: bool) -> None:
        if earlier:  # the guards would refuse it today: see the comment where it is called
            Engagement.objects.filter(pk=e.pk).update(
                state=Engagement.State.ACTIVE,
                activated_at=timezone.make_aware(datetime.datetime.combine(e.start_date, datetime.time(9))),
            )
            e.refresh_from_db()
            return
        for sop in unacknowledged_sops(e.freelancer, e.task):  # read in the portal before the start
            acknowledge_sop(sop=sop, freelancer=e.freelancer, actor=e.freelancer.user or owner)
        lifecycle.activate(engagement=e, actor=owner)

    def trial(
        key: str, task: str, manager: Membership, rate: str, currency: str, start_ago: int, **kw: Any
    ) -> Engagement:
        earlier = kw.pop("started_earlier", False)
        e = draft(
            key, task, manager, "trial", rate, currency,
            budget_cap=_d(kw.pop("hours", "20")), start_date=day(start_ago), end_date=day(start_ago - 13), **kw,
        )  # fmt: skip
        start(e, earlier)
        return e

    def completed_trial(
        key: str,
        task: str,
        manager: Membership,
        rate: str,
        cur: str,
        start_ago: int,
        rating: int,
        note: str,
        started_earlier: bool = False,
    ) -> Engagement:
        e = trial(key, task, manager, rate, cur, start_ago, started_earlier=started_earlier)
        review(e, manager, start_ago - 7, rating, rating, max(rating, 3), "Mid-trial checkpoint.")
        lifecycle.complete(engagement=e, actor=manager.user, rating=rating, note=note)
        return e

    def full(
        key: str, task: str, manager: Membership, rate: str, cur: str, start_ago: int, saving: str, **kw: Any
    ) -> Engagement:
        earlier = kw.pop("started_earlier", False)
        e = draft(
            key, task, manager, "full", rate, cur,
            budget_cap=_d(kw.pop("cap", "80")), start_date=day(start_ago), end_date=None,
            expected_monthly_saving=_d(saving), **kw,
        )  # fmt: skip
        start(e, earlier)
        return e

    # ── Maria: support inbox. A good trial, then a full engagement run by Sam. Both started on
    # version 1 of the support playbook; version 2 came out since and she has not read it yet
    # (SOP_NOT_ACKNOWLEDGED; the portal journey acknowledges it), so today's guard would refuse. ──
    completed_trial(
        "maria", "support", sam, "14.00", "USD", 120, 4, "Fast, friendly answers; learned our tone quickly.",
        started_earlier=True,
    )  # fmt: skip
    maria = full("maria", "support", sam, "14.00", "USD", 100, "950.00", cap="100", started_earlier=True)
    maria_member = member_of(f["maria"].user)
    for ago, q, tl, c, notes in (
        (72, 4, 4, 5, "Inbox under control; first-response time down to 2 h."),
        (44, 4, 3, 4, "Two tickets waited over a day during the launch week."),
        (16, 5, 4, 5, "Excellent month. Clients mention her by name."),
        (5, 4, 4, 5, "Steady. Agreed to draft the FAQ refresh."),
    ):
        review(maria, sam, ago, q, tl, c, notes)
    # Hours: Maria reports through the portal; most are approved, some wait for Sam.
    for ago, hours, note in (
        (26, "6.5", "Inbox and chat"), (25, "7", "Inbox, refund requests"), (19, "6", "Inbox"),
        (18, "7.5", "Inbox and launch questions"), (12, "6", "Inbox"), (11, "5.25", "Inbox, FAQ notes"),
        (5, "6", "Inbox"), (4, "7", "Inbox and chat"), (3, "4.5", "Inbox"), (2, "6", "Inbox, FAQ draft"),
    ):  # fmt: skip
        timesheets.log_time(engagement=maria, membership=maria_member, date=day(ago), hours=_d(hours), note=note)
    for entry in TimeEntry.objects.filter(engagement=maria, date__lte=day(11)).order_by("date"):
        timesheets.review_time(entry=entry, membership=sam, approve=True)
    returned = TimeEntry.objects.get(engagement=maria, date=day(5))
    timesheets.review_time(entry=returned, membership=sam, approve=False, note="That was a public holiday — wrong day?")
    m1 = milestones.add_milestone(
        engagement=maria, actor=sam_user, title="Support playbook v1", due_date=day(80),
        acceptance_criteria="Covers the 20 most common requests with approved answer templates.",
    )  # fmt: skip
    milestones.submit_deliverable(
        milestone=m1, membership=maria_member, text="Playbook in the shared drive, 22 templates."
    )
    milestones.review_deliverable(milestone=m1, membership=sam, accept=True)
    m2 = milestones.add_milestone(
        engagement=maria, actor=sam_user, title="Monthly support report", due_date=day(1),
        acceptance_criteria="Ticket volume, response times and the top 5 issues with suggestions.",
    )  # fmt: skip
    milestones.submit_deliverable(
        milestone=m2, membership=maria_member, text="Report for last month attached.", link="https://example.com/report"
    )
    milestones.add_milestone(
        engagement=maria, actor=sam_user, title="FAQ refresh", due_date=day(-3),  # due in 3 days: an email
        acceptance_criteria="Every FAQ answer checked against the current prices and policies.",
    )  # fmt: skip

    # ── Priya: website builds, run by Jordan, whose checkpoint is overdue. ──
    completed_trial("priya", "website", jordan, "35.00", "USD", 160, 4, "Clean code, good questions.")
    priya = full("priya", "website", jordan, "35.00", "USD", 140, "1400.00", cap="60")
    review(priya, jordan, 70, 4, 4, 4, "On track.")
    review(priya, jordan, 30, 3, 3, 4, "Microsite slipped a week; agreed a new date.")
    if not mistakes:  # Lumen Studio keeps the weekly rhythm
        review(priya, jordan, 5, 4, 4, 4, "Landing page fixes agreed; release on Thursday.")
    priya_member = member_of(f["priya"].user)
    pm = milestones.add_milestone(
        engagement=priya, actor=jordan_user, title="Spring campaign landing page", due_date=day(20),
        acceptance_criteria="Matches the approved design on phone and desktop; loads in under 2 s.",
    )  # fmt: skip
    milestones.submit_deliverable(milestone=pm, membership=priya_member, text="Live on staging.")
    milestones.review_deliverable(
        milestone=pm, membership=jordan, accept=False, note="The phone layout cuts the headline; please fix."
    )
    timesheets.log_time(
        engagement=priya, membership=priya_member, date=day(3), hours=_d("4"), note="Landing page fixes"
    )

    # ── Ana: PPC, a trial rated 5 then a full engagement (Sam). She is on a break now (inactive),
    # which today's guard refuses for a full engagement: UNVETTED_FREELANCER on it. ──
    # (In Lumen Studio she is back from her break: active, started through the guards.)
    completed_trial("ana", "ppc", sam, "30.00", "EUR", 90, 5, "Cut cost per lead by a third in two weeks.")
    ana = full(
        "ana", "ppc", sam, "30.00", "EUR", 75, "1000.00" if mistakes else "150.00", cap="40", started_earlier=mistakes
    )  # fmt: skip
    review(ana, sam, 3, 5, 4, 4, "Campaigns healthy.")

    # ── An: video editing with Jordan; An is leaving (offboarding below). The talent network
    # has since marked An rejected, which today's guard refuses: UNVETTED_FREELANCER. ──
    # (In Lumen Studio An is still active until he leaves: both started through the guards.)
    completed_trial("an", "video", jordan, "20.00", "USD", 110, 4, "Good eye for pacing.", started_earlier=mistakes)
    an = full(
        "an", "video", jordan, "20.00", "USD", 95, "500.00" if mistakes else "100.00", cap="30",
        started_earlier=mistakes,
    )  # fmt: skip
    review(an, jordan, 7, 4, 4, 3, "Good edits; replies slowly on Fridays.")

    # ── Amani: bookkeeping since before Lumen used Sourcewise: a full engagement that never
    # had a trial. The guards refuse to start it today, so the row is inserted directly. ──
    if mistakes:
        amani = Engagement.objects.create(
            workspace=ws, freelancer=f["amani"], task=t["books"], manager=sam, kind="full", state="active",
            billing="fixed", rate=_d("18.00"), currency="USD", budget_cap=_d("600.00"), start_date=day(200),
            expected_monthly_saving=_d("400.00"), activated_at=timezone.now() - datetime.timedelta(days=200),
        )  # fmt: skip
    else:  # Lumen Studio: a trial first, then a fixed monthly price.
        completed_trial("amani", "books", sam, "18.00", "USD", 215, 4, "Tidy books; asked the right questions.")
        amani = full("amani", "books", sam, "18.00", "USD", 200, "150.00", billing="fixed", cap="300.00")
    review(amani, sam, 6, 4, 5, 4, "VAT return filed on time.")

    # ── Lucía: a trial rated 2 (off-brief), yet a full engagement is being planned → NO_TRIAL. ──
    if mistakes:
        completed_trial("lucia", "identity", sam, "30.00", "USD", 60, 2, "Concepts were off-brief twice.")
    else:  # Lumen Studio: a good trial, the full engagement starts next week.
        completed_trial("lucia", "identity", sam, "30.00", "USD", 60, 4, "Strong concepts; one revision round.")
    lucia = draft(
        "lucia", "identity", sam, "full", "30.00", "USD", budget_cap=_d("40"), start_date=day(-7),
        expected_monthly_saving=_d("300.00"),
    )  # fmt: skip
    milestones.add_milestone(
        engagement=lucia, actor=sam_user, title="Logo refresh concepts", due_date=day(-21),
        acceptance_criteria="Three directions, each shown on the business card and the website header.",
    )  # fmt: skip

    # ── Small trials Sam runs at the same time: with Maria, Amani and Ana that is 9 active
    # engagements for Sam, one more than the limit of 8 (MANAGER_OVERLOADED). Chloé, Emily and
    # James were agreed by email before their tasks were ready (social checkpoints every 30
    # days, no blog deliverables, SEO not assessed) and Emily never read the brand-voice SOP;
    # Kwame left the network after his trial began — today's guards would refuse all four. ──
    if mistakes:
        trial("chloe", "social", sam, "45.00", "CAD", 6, started_earlier=True)
        trial("emily", "blog", sam, "35.00", "GBP", 5, hours="16", started_earlier=True)
        trial("james", "seo", sam, "60.00", "AUD", 4, hours="12", started_earlier=True)
        # Olena's trial ran past its end date and nobody closed it (TRIAL_OVERRUN).
        olena = trial("olena", "identity", sam, "28.00", "EUR", 20)
        review(olena, sam, 5, 4, 3, 3, "Good drafts; the trial should have ended last week.")
        trial("kwame", "books", sam, "15.00", "USD", 3, hours="10", started_earlier=True)
        # A fixed-price trial: 450 USD, within 20 hours at his 25 USD rate.
        daniel = trial("daniel", "video", sam, "25.00", "USD", 2, billing="fixed", hours="450")
    else:
        # Lumen Studio: trials at fair rates, split between the two managers, started through the
        # guards (SOPs acknowledged first). James is approved but not engaged: Adelaide barely
        # overlaps the studio's hours (LOW_TZ_OVERLAP).
        trial("chloe", "social", sam, "22.00", "GBP", 6)  # paid in pounds, at the UK rate
        trial("emily", "blog", sam, "40.00", "GBP", 5, hours="16")
        trial("olena", "identity", jordan, "28.00", "EUR", 6)
        # A fixed-price trial: 720 USD, within 20 hours at his 36 USD rate.
        daniel = trial("daniel", "video", jordan, "36.00", "USD", 2, billing="fixed", hours="720")
    emailed = [("emily", 3, "3.5", "approved"), ("james", 2, "2", "submitted")]
    if not mistakes:
        emailed = emailed[:1]  # James has no engagement in Lumen Studio
    for key, ago, hours, status in emailed:
        e = Engagement.objects.get(freelancer=f[key], state="active")
        # Emily and James have no portal login yet; Sam typed in the hours they emailed.
        TimeEntry.objects.create(
            workspace=ws, engagement=e, date=day(ago), hours=_d(hours), note="Reported by email", status=status,
            reviewed_by=sam_user if status == "approved" else None,
            reviewed_at=timezone.now() if status == "approved" else None,
        )  # fmt: skip
    assert daniel.manager is not None  # every demo engagement has a manager
    milestones.add_milestone(
        engagement=daniel, actor=daniel.manager.user, title="Three 15-second cut-downs", due_date=day(-5),
        acceptance_criteria="Three edits of the spring spot, captioned, in 9:16 and 1:1.",
    )  # fmt: skip

    # ── A draft nobody manages yet (NO_MANAGER), a cancelled plan, a terminated trial. ──
    if mistakes:
        draft(
            "sofia", "blog", None, "trial", "40.00", "EUR", budget_cap=_d("15"), start_date=day(-3), end_date=day(-16)
        )  # fmt: skip
    arjun = draft("arjun", "identity", jordan, "trial", "20.00", "USD", budget_cap=_d("20"), start_date=day(30),
                  end_date=day(17))  # fmt: skip
    lifecycle.cancel(engagement=arjun, actor=jordan_user)
    tomasz = trial("tomasz", "website", jordan, "32.00", "EUR", 50)
    lifecycle.terminate(engagement=tomasz, actor=jordan_user, reason="Missed the first two deadlines without warning.")
    if not mistakes:  # Lumen Studio closes the loop: not approved any more
        change_status(freelancer=f["tomasz"], actor=owner, status="rejected")

    # ── An is leaving: the handover of the video engagement is under way. ──
    offboarding = offboarding_flow.start_offboarding(
        freelancer=f["an"], actor=owner, reason="Moving to a full-time role.", leaving_on=day(-21)
    )
    handover = offboarding.handovers.get(engagement=an)
    offboarding_flow.update_handover(
        handover=handover, actor=owner, status="replacement_chosen", replacement=f["daniel"],
        notes="Daniel shadows An on the next two edits; project files move to the shared drive.",
    )  # fmt: skip
    ctx.extra["engagements"] = {"maria": maria, "priya": priya, "amani": amani, "lucia": lucia}
