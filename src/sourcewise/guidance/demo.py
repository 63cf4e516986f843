"""Demo: Lumen Studio's SOPs (some revised), documents, pulse answers and manager training.

In "Every classic mistake" every code of this app appears: DOCUMENT_MISSING (Maria's tax form expired, Lucía has no
NDA), UNHAPPY_FREELANCER (Lucía: 2 and 2), MANAGER_UNTRAINED (Jordan). Maria, who has a
portal login, has one SOP to acknowledge again (the support playbook changed) and has not
answered this month's pulse — the browser journey does both.

Lumen Studio (`MAIN_*`) has an SOP for every outsourced task, every document on file (two
expiring soon), a happier Lucía; Jordan's training is still to be booked (MANAGER_UNTRAINED)
and Maria has the revised support playbook to read (SOP_NOT_ACKNOWLEDGED, the one critical).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from sourcewise.guidance import services
from sourcewise.guidance.models import FreelancerDocument, PulseResponse, SOPAcknowledgement, TrainingRecord
from sourcewise.guidance.selectors import month_of
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps

# key: (title, skills, tasks, [(body, change note), ...])
SOPS = {
    "support": (
        "Client support playbook",
        ["support"],
        ["support"],
        [
            (
                "# Client support playbook\n\n"
                "1. Answer every new request within **4 business hours** (UK time).\n"
                "2. Greet the client by name; sign as *Lumen Studio support*.\n"
                "3. Anything about money, contracts or a complaint: forward to Sam, do not promise.\n",
                "First version.",
            ),
            (
                "# Client support playbook\n\n"
                "1. Answer every new request within **2 business hours** (UK time).\n"
                "2. Greet the client by name; sign as *Lumen Studio support*.\n"
                "3. Anything about money, contracts or a complaint: forward to Sam, do not promise.\n"
                "4. Log each conversation in the shared inbox with the client's tag.\n\n"
                "See the [tone of voice guide](https://lumen.example/tone).\n",
                "Faster first answer (2 hours) and tagging in the shared inbox.",
            ),
        ],
    ),
    "books": (
        "Month-end bookkeeping close",
        ["bookkeeping"],
        ["books"],
        [
            (
                "# Month-end close\n\n- Reconcile both bank accounts by the 5th.\n- Chase unpaid invoices older than "
                "30 days.\n- Prepare the VAT summary; never file it — Olivia files.\n",
                "First version.",
            ),
        ],
    ),
    "web": (
        "Website handover checklist",
        ["webdev"],
        ["website"],
        [
            (
                "# Website handover\n\n- Lighthouse score ≥ 90 on mobile.\n- All images compressed, alt text set.\n"
                "- Admin logins in the studio's password manager, never by email.\n",
                "First version.",
            ),
        ],
    ),
    "design": (
        "Design file delivery",
        ["design", "illustration"],
        ["identity"],
        [
            (
                "# Design files\n\nDeliver editable sources (Figma or AI) plus PNG and SVG exports, named "
                "`client-asset-v1`.\n",
                "First version.",
            ),
            (
                "# Design files\n\nDeliver editable sources (Figma or AI) plus PNG, SVG **and PDF** exports, named "
                "`client-asset-v1`.\n\nFonts: only licensed fonts from the studio's list.\n",
                "PDF exports and licensed fonts only.",
            ),
        ],
    ),
    "copy": (
        "Brand voice for client copy",
        ["copy"],
        ["blog"],
        [
            (
                "# Brand voice\n\nShort sentences. British spelling. No jargon the client's customer would not use.\n",
                "First version.",
            ),
        ],
    ),
}

# Lumen Studio writes down how the social and video work is done, too.
MAIN_SOPS = {
    "social": (
        "Social media posting rules",
        ["social"],
        ["social"],
        [
            (
                "# Posting rules\n\n- Schedule a week ahead; Sam approves the calendar on Mondays.\n"
                "- Reply to comments within a business day; escalate complaints to Sam.\n",
                "First version.",
            ),
        ],
    ),
    "video": (
        "Video edit checklist",
        ["video"],
        ["video"],
        [
            (
                "# Video edits\n\n- Captions burned in, safe margins for 9:16.\n- Export 1080p H.264; "
                "keep the project file in the shared drive.\n",
                "First version.",
            ),
        ],
    ),
}

# freelancer: [(sop key, version number acknowledged)]
ACKNOWLEDGED = {
    "maria": [("support", 1), ("books", 1)],  # support playbook changed since: asked again
    "priya": [("web", 1)],
    "lucia": [("design", 1)],  # design files changed since
    "amani": [("books", 1)],
}

# Lumen Studio: those who started before the guards read the SOPs too (others acknowledge
# in their portal before a start — engagements/demo.py).
MAIN_ACKNOWLEDGED = {
    **ACKNOWLEDGED,
    "maria": [*ACKNOWLEDGED["maria"], ("social", 1)],  # she has the social skill: read it too
    "lucia": [("design", 1), ("design", 2)],
    "an": [("video", 1)],
}

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def build(ctx: DemoContext) -> None:
    workspace, owner = ctx.workspace, ctx.users["owner"]
    sops = {}
    all_sops = SOPS if ctx.mistakes else {**SOPS, **MAIN_SOPS}
    for key, (title, skills, tasks, versions) in all_sops.items():
        body, _ = versions[0]
        sop = services.create_sop(
            workspace=workspace,
            actor=owner,
            title=title,
            body=body,
            skills=[ctx.skills[s] for s in skills],
            tasks=[ctx.tasks[t] for t in tasks],
        )
        assert sop.current_version is not None  # create_sop writes version 1
        numbered = {1: sop.current_version}
        for number, (body, note) in enumerate(versions[1:], start=2):
            numbered[number] = services.add_sop_version(sop=sop, actor=ctx.users["sam"], body=body, change_note=note)
        sops[key] = numbered
    for person, acks in (ACKNOWLEDGED if ctx.mistakes else MAIN_ACKNOWLEDGED).items():
        freelancer = ctx.freelancers[person]
        for key, number in acks:
            SOPAcknowledgement.objects.create(
                workspace=workspace, version=sops[key][number], freelancer=freelancer, acknowledged_by=freelancer.user
            )

    types = {t.name: t for t in services.add_default_document_types(workspace=workspace, actor=owner)}
    agreement, nda, tax = types["Signed agreement"], types["NDA"], types["Tax form"]
    documents = [
        ("priya", agreement, None),
        ("priya", nda, None),
        ("priya", tax, ctx.today + datetime.timedelta(days=300)),
        ("maria", agreement, None),
        ("maria", nda, None),
        # expired in the classic mistakes; expiring soon in Lumen Studio
        ("maria", tax, ctx.days_ago(12) if ctx.mistakes else ctx.today + datetime.timedelta(days=25)),
        ("lucia", agreement, None),  # NDA missing in the classic mistakes
        ("lucia", tax, ctx.today + datetime.timedelta(days=20)),  # expiring soon
    ]
    if not ctx.mistakes:
        documents.append(("lucia", nda, None))
    for person, doc_type, expires_on in documents:
        freelancer = ctx.freelancers[person]
        document = FreelancerDocument(
            workspace=workspace,
            freelancer=freelancer,
            document_type=doc_type,
            original_name=f"{doc_type.name.lower().replace(' ', '-')}-{person}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            expires_on=expires_on,
            uploaded_by=freelancer.user,
        )
        document.file.save("upload", ContentFile(PDF), save=False)
        document.save()

    this_month = month_of(ctx.today)
    last_month = month_of(this_month - datetime.timedelta(days=1))
    before = month_of(last_month - datetime.timedelta(days=1))
    pulses = [
        ("maria", before, 4, "Clear briefs, thank you."),
        ("maria", last_month, 5, ""),
        ("priya", last_month, 4, ""),
        ("priya", this_month, 4, "Busy month but fine."),
        ("lucia", before, 2, "Revisions keep coming after sign-off."),
        ("lucia", last_month, 2, "Feedback arrives late; I lose days waiting."),
    ]
    if not ctx.mistakes:  # Lumen Studio listened: one reviewer, feedback within two days
        pulses[-1] = ("lucia", last_month, 4, "Much better since Sam collects the feedback in one round.")
    for person, month, score, comment in pulses:
        PulseResponse.objects.create(
            workspace=workspace, freelancer=ctx.freelancers[person], month=month, score=score, comment=comment
        )

    sam = Membership.objects.get(workspace=workspace, user=ctx.users["sam"])
    TrainingRecord.objects.create(
        workspace=workspace,
        member=sam,
        date=ctx.days_ago(120),
        topic="Managing remote freelancers (one-day workshop)",
        notes="Briefs, checkpoints every two weeks, acceptance criteria.",
        recorded_by=owner,
    )
    TrainingRecord.objects.create(
        workspace=workspace,
        member=Membership.objects.get(workspace=workspace, user=owner),
        date=ctx.days_ago(200),
        topic="Outsourcing for small studios (online course)",
        recorded_by=owner,
    )
    # Jordan has no training on record: MANAGER_UNTRAINED.
