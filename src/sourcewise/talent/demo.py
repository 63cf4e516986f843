"""Demo: the studio's skills and fifteen freelancers in fifteen countries, at every vetting stage.

"Every classic mistake": every talent finding appears: James (Adelaide) overlaps too little,
Olena's English is B1, Emily works for the studio unvetted, Amani's references are weak, and
no approved freelancer covers video, PPC or brand strategy (thin skills on the bench page).

Lumen Studio (`MAIN`): the same people, mostly vetted properly. What is left: James's hours
barely touch the studio's, Arjun's references are weak (still in vetting), and An — who is
leaving — is the only video editor approved (Daniel, his replacement, is still a prospect).
Tomasz is rejected after his trial (engagements/demo.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.core.access import FREELANCER
from sourcewise.jobs.models import Job
from sourcewise.talent.models import (
    Freelancer,
    FreelancerLanguage,
    FreelancerSkill,
    Interview,
    PortfolioItem,
    Reference,
    Skill,
    TrialTask,
)
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps

SKILLS = {
    "design": ("Graphic design", "Layouts, brand assets, print and digital."),
    "illustration": ("Illustration", "Custom drawings for campaigns and products."),
    "webdev": ("Web development", "Websites and landing pages (HTML, CSS, WordPress, Django)."),
    "copy": ("Copywriting", "Web, ad and blog copy in English."),
    "seo": ("SEO", "Search audits, keyword research, on-page fixes."),
    "social": ("Social media", "Scheduling, community replies, reporting."),
    "support": ("Customer support", "Inbox and chat support for clients."),
    "bookkeeping": ("Bookkeeping", "Invoices, reconciliations, VAT preparation."),
    "video": ("Video editing", "Short-form edits for campaigns."),
    "ppc": ("PPC advertising", "Google and Meta ad campaigns."),
    "strategy": ("Brand strategy", "Positioning and creative direction — the studio's core."),
}

# key: (name, country, time zone, {skill: level}, has a portal login)
FREELANCERS = {
    "priya": ("Priya Sharma", "IN", "Asia/Kolkata", {"webdev": 5, "seo": 3}, True),
    "arjun": ("Arjun Thapa", "NP", "Asia/Kathmandu", {"illustration": 4}, False),
    "maria": ("Maria Santos", "PH", "Asia/Manila", {"support": 4, "social": 3, "bookkeeping": 2}, True),
    "tomasz": ("Tomasz Nowak", "PL", "Europe/Warsaw", {"webdev": 4}, False),
    "lucia": ("Lucía Fernández", "AR", "America/Argentina/Buenos_Aires", {"design": 5, "illustration": 3}, True),
    "amani": ("Amani Otieno", "KE", "Africa/Nairobi", {"bookkeeping": 4}, False),
    "sofia": ("Sofia Rossi", "PT", "Europe/Lisbon", {"copy": 5, "seo": 4}, False),
    "daniel": ("Daniel Reyes", "MX", "America/Mexico_City", {"video": 4}, False),
    "olena": ("Olena Kovalenko", "UA", "Europe/Kyiv", {"design": 4, "webdev": 3}, False),
    "an": ("Nguyen Van An", "VN", "Asia/Ho_Chi_Minh", {"video": 3}, False),
    "chloe": ("Chloé Martin", "CA", "America/Toronto", {"copy": 4, "social": 4}, False),
    "kwame": ("Kwame Mensah", "GH", "Africa/Accra", {"bookkeeping": 3}, False),
    "ana": ("Ana Popescu", "RO", "Europe/Bucharest", {"ppc": 4}, False),
    "james": ("James Walker", "AU", "Australia/Adelaide", {"seo": 3}, False),
    "emily": ("Emily Brooks", "GB", "Europe/London", {"copy": 3}, False),
}

# key: (status, hours, {language: level}, (rate, currency), hours a week, vetting, notes)
# vetting: "full" = every step done; otherwise the list of steps recorded so far.
PROFILES = {
    "priya": ("approved", ("10:00", "19:00"), {"en": "C1", "hi": "C2"}, ("2400.00", "INR"), 30, "full", ""),
    "arjun": ("vetting", ("10:00", "18:00"), {"en": "B2", "ne": "C2"}, ("15.00", "USD"), 25, ["portfolio", "ref"], ""),
    "maria": ("active", ("14:00", "23:00"), {"en": "C1", "tl": "C2"}, ("9.50", "USD"), 40, "full",
              "Works an evening shift so she covers our mornings."),
    "tomasz": ("approved", ("08:00", "16:00"), {"en": "C1", "pl": "C2"}, ("38.00", "EUR"), 20, "full", ""),
    "lucia": ("approved", ("09:00", "18:00"), {"en": "B2", "es": "C2"}, ("22.00", "USD"), 30, "full", ""),
    "amani": ("vetting", ("08:00", "17:00"), {"en": "C1", "sw": "C2"}, ("14.00", "USD"), 40, ["weak_refs", "interview"],
              "References were lukewarm about deadlines."),
    "sofia": ("active", ("09:00", "17:00"), {"en": "C2", "pt": "C2", "it": "C2"}, ("30.00", "EUR"), 25, "full", ""),
    "daniel": ("prospect", ("09:00", "17:00"), {"es": "C2", "en": "B1"}, ("20.00", "USD"), 30, [], ""),
    "olena": ("approved", ("09:00", "18:00"), {"uk": "C2", "en": "B1"}, ("25.00", "EUR"), 30, "full",
              "Great designer; written English still improving."),
    "an": ("rejected", ("08:00", "17:00"), {"vi": "C2", "en": "B1"}, ("12.00", "USD"), 40, ["portfolio"], ""),
    "chloe": ("active", ("09:00", "17:00"), {"en": "C2", "fr": "C2"}, ("55.00", "CAD"), 15, "full", ""),
    "kwame": ("left", ("08:00", "16:00"), {"en": "C1"}, ("12.00", "USD"), 40, "full", "Moved to a full-time job."),
    "ana": ("inactive", ("09:00", "17:00"), {"en": "C1", "ro": "C2"}, ("28.00", "EUR"), 10, "full",
            "On a break until next quarter."),
    "james": ("approved", ("09:00", "17:00"), {"en": "C2"}, ("60.00", "AUD"), 20, "full",
              "Adelaide hours barely touch ours."),
    "emily": ("active", ("09:00", "17:00"), {"en": "C2"}, ("32.00", "GBP"), 20, [],
              "Worked with us before Sourcewise; her vetting was never recorded."),
}  # fmt: skip

# Lumen Studio: what differs from the classic mistakes above.
MAIN_SKILLS = {
    "maria": {"support": 4, "social": 3, "bookkeeping": 3},  # Amani's backup at month end
    "chloe": {"copy": 4, "social": 4, "support": 3},  # covers the inbox when Maria is off
    "emily": {"copy": 4, "seo": 2, "ppc": 3},  # ran the studio's own ads before Ana
}
MAIN_PROFILES = {
    "arjun": ("vetting", ("10:00", "18:00"), {"en": "B2", "ne": "C2"}, ("15.00", "USD"), 25, ["portfolio", "weak_refs"],
              "References were lukewarm about deadlines; a paid trial will tell."),
    "amani": ("active", ("08:00", "17:00"), {"en": "C1", "sw": "C2"}, ("14.00", "USD"), 40, "full", ""),
    "sofia": ("inactive", ("09:00", "17:00"), {"en": "C2", "pt": "C2", "it": "C2"}, ("30.00", "EUR"), 25, "full",
              "On a break until next quarter."),
    "olena": ("approved", ("09:00", "18:00"), {"uk": "C2", "en": "B2"}, ("25.00", "EUR"), 30, "full",
              "Great designer; also builds simple sites."),
    "an": ("active", ("13:00", "22:00"), {"vi": "C2", "en": "B2"}, ("12.00", "USD"), 40, "full",
           "Works an afternoon shift for European clients. Leaving for a full-time role; handing over to Daniel."),
    "ana": ("active", ("09:00", "17:00"), {"en": "C1", "ro": "C2"}, ("28.00", "EUR"), 10, "full", ""),
    "tomasz": ("vetting", ("08:00", "16:00"), {"en": "C1", "pl": "C2"}, ("38.00", "EUR"), 20,
               ["portfolio", "ref", "interview"], "The paid trial is the last step."),
    "emily": ("active", ("09:00", "17:00"), {"en": "C2"}, ("42.00", "GBP"), 20, "full",
              "Worked with us before Sourcewise; vetted properly this spring."),
}  # fmt: skip


def _vetting(ctx: DemoContext, freelancer: Freelancer, steps: Collection[str], owner: User | None) -> None:
    full = steps == "full"
    now = ctx.days_ago(40)
    if full or "portfolio" in steps:
        PortfolioItem.objects.create(
            workspace=ctx.workspace,
            freelancer=freelancer,
            title=f"{freelancer.name.split()[0]}'s recent client work",
            url="https://example.org/portfolio",
            rating=4 if full else None,
            reviewed_by=owner if full else None,
            reviewed_at=timezone.now() if full else None,
        )
    references = []
    if full:
        references = [("Harbour Cafe", 5, "Reliable and quick; would hire again."), ("Nordlicht GmbH", 4, "Good work.")]
    elif "ref" in steps:
        references = [("Pine & Co", 4, "Delivered what was agreed.")]
    elif "weak_refs" in steps:
        references = [("Blue Tiles Ltd", 3, "Good work, often late."), ("Kili Tours", 3, "Needed many reminders.")]
    for client, rating, comment in references:
        Reference.objects.create(
            workspace=ctx.workspace,
            freelancer=freelancer,
            client_name=client,
            contact=f"owner@{client.split()[0].lower()}.example",
            rating=rating,
            comment=comment,
            recorded_by=owner,
        )
    if full or "interview" in steps:
        Interview.objects.create(
            workspace=ctx.workspace,
            freelancer=freelancer,
            held_on=now,
            communication=4,
            culture_fit=5 if full else 3,
            notes="Video call; clear answers.",
            recorded_by=owner,
        )
    if full:
        TrialTask.objects.create(
            workspace=ctx.workspace,
            freelancer=freelancer,
            title="Paid trial: one small piece of real work",
            completed_on=ctx.days_ago(30),
            hours=Decimal("6.0"),
            rating=4,
            recorded_by=owner,
        )


def build(ctx: DemoContext) -> None:
    workspace = ctx.workspace
    owner = ctx.users.get("owner")
    for key, (name, description) in SKILLS.items():
        ctx.skills[key] = Skill.objects.create(workspace=workspace, name=name, description=description)
    for key, (name, country, zone, skills, has_login) in FREELANCERS.items():
        profile = PROFILES[key] if ctx.mistakes else MAIN_PROFILES.get(key, PROFILES[key])
        status, (start, end), languages, (rate, currency), hours, steps, notes = profile
        if not ctx.mistakes:
            skills = MAIN_SKILLS.get(key, skills)
        email = ctx.email(key.replace(" ", ""))
        user = None
        if has_login:  # the same person's login in both demo workspaces
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, ctx.password, full_name=name
            )
            Membership.objects.create(user=user, workspace=workspace, role=FREELANCER)
            ctx.logins.append((FREELANCER, name, email))
        freelancer = Freelancer(
            workspace=workspace,
            name=name,
            email=email,
            country=country,
            timezone=zone,
            user=user,
            status=status,
            work_start=datetime.time.fromisoformat(start),
            work_end=datetime.time.fromisoformat(end),
            work_days=[0, 1, 2, 3, 4],
            hourly_rate=Decimal(rate),
            rate_currency=currency,
            availability_hours=hours,
            notes=notes,
        )
        freelancer.full_clean()
        freelancer.save()
        FreelancerSkill.objects.bulk_create(
            FreelancerSkill(freelancer=freelancer, skill=ctx.skills[s], level=lvl) for s, lvl in skills.items()
        )
        FreelancerLanguage.objects.bulk_create(
            FreelancerLanguage(workspace=workspace, freelancer=freelancer, language=code, level=level)
            for code, level in languages.items()
        )
        _vetting(ctx, freelancer, steps, owner)
        ctx.freelancers[key] = freelancer
    Job.objects.create(
        workspace=workspace,
        created_by=owner,
        kind="talent.import",
        title="Import of freelancers-from-spreadsheet.csv",
        params={"filename": "freelancers-from-spreadsheet.csv"},
        state=Job.State.DONE,
        total=15,
        done=15,
        message="15 rows: 15 added, 0 updated, 0 unchanged.",
        result={"rows": 15, "created": 15, "updated": 0, "unchanged": 0},
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
