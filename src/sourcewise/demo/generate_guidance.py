"""Synthetic guidance, documents, pulse, training, portal logins and audit history, at scale.

Called by `generate()` (generate.py) after the freelancers, tasks and engagements exist, so
the SOP, document, pulse, training, audit and portal pages have a busy workspace to read
(SPEC §6 P6). Volumes follow the number of freelancers; the audit log gets `audit_events`
rows, about what a busy year leaves. Bulk inserts in batches, deterministic for a seed.

Rows keep the models' rules: one acknowledgement per version and freelancer, one pulse per
freelancer and month (scores 1–5), version numbers 1..n with the SOP pointing at its newest,
audit rows written once (never updated) with the actor's email as its label and a real
target. Timestamps that the models fill with "now" are backdated here, as a year of use
would have left them; documents are metadata only (no file is stored, and no page reads one).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, INTERNAL
from sourcewise.core.dates import server_today
from sourcewise.demo.generate_batches import BATCH, Progress, insert_in_batches
from sourcewise.engagements.models import Engagement
from sourcewise.guidance.models import (
    SOP,
    DocumentType,
    FreelancerDocument,
    PulseResponse,
    SOPAcknowledgement,
    SOPVersion,
    TrainingRecord,
)
from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.demo.generate import Generated

PORTAL_EVERY = 20  # one freelancer in 20 has a portal login (5,000 of 100,000)
SOP_PER_FREELANCERS = 500  # one SOP per 500 freelancers (200 of them at 100,000)
PORTAL_PASSWORD = "generated-portal-password"  # noqa: S105  # the one portal login a bench or a person uses
DOCUMENT_TYPES = [  # (name, expires)
    ("Signed contract", False),
    ("Tax residency form", True),
    ("NDA", False),
    ("ID document", True),
]
# A busy year: (action, weight). Real actions of the product, the everyday ones most often.
AUDIT_ACTIONS = [
    ("time.log", 30), ("time.approve", 18), ("auth.login", 12), ("engagement.update", 8), ("costentry.create", 6),
    ("freelancer.update", 5), ("milestone.submit", 4), ("sop.acknowledge", 4), ("pulse.answer", 3),
    ("document.upload", 2), ("engagement.create", 2), ("task.update", 2), ("invoice.create", 1),
    ("freelancer.create", 1), ("sop.version", 1), ("permission.denied", 1), ("training.record", 1),
]  # fmt: skip
SOP_TOPICS = [
    "Onboarding", "Weekly report", "Handover", "Invoice", "Quality check", "Client call", "Style guide",
    "Security", "File naming", "Escalation", "Time logging", "Review", "Release", "Backup", "Support reply",
]  # fmt: skip


def portal_user(workspace_id: int) -> Any:
    """The first generated portal login (a freelancer with engagements): what a bench signs in as.
    Its email is portal0@<workspace slug>.generated.test, its password PORTAL_PASSWORD."""
    membership = (
        Membership.objects.filter(workspace_id=workspace_id, role=FREELANCER, user__email__startswith="portal0@")
        .select_related("user")
        .get()
    )
    return membership.user


@contextmanager
def _given_times(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let bulk inserts keep the timestamps set on the rows (auto_now_add would say "now")."""
    saved = []
    for model, name in fields:
        field: Any = model._meta.get_field(name)
        saved.append((field, field.auto_now_add))
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value


def _body(rng: random.Random, title: str, number: int) -> str:
    steps = "\n".join(
        f"{n}. {rng.choice(['Check', 'Write', 'Send', 'Review', 'Log', 'Ask about'])} the "
        f"{rng.choice(['brief', 'report', 'hours', 'files', 'client notes', 'checklist'])} "
        f"{rng.choice(['before you start', 'every Friday', 'when done', 'with your manager', 'in the shared folder'])}."
        for n in range(1, rng.randint(6, 14))
    )
    return f"# {title}\n\nVersion {number}. Follow these steps in order.\n\n{steps}\n\n**Ask** when unsure.\n"


@transaction.atomic
def generate_guidance(
    result: Generated, *, audit_events: int, seed: int = 2026, progress: Progress | None = None
) -> None:
    """Add guidance, documents, pulses, training, portal logins and `audit_events` audit rows
    to the generated workspace; counts go to `result.counts`."""
    rng = random.Random(seed + 14)
    workspace = result.workspace
    slug = "".join(c for c in workspace.name.lower() if c.isalnum()) or "scale"
    now = timezone.now()
    today = server_today()
    year_ago = now - datetime.timedelta(days=365)
    internal = list(
        Membership.objects.filter(workspace=workspace, role__in=INTERNAL).select_related("user").order_by("id")
    )
    internal_users = [m.user for m in internal]
    skills = list(Skill.objects.filter(workspace=workspace).order_by("id"))
    tasks = list(Task.objects.filter(workspace=workspace).order_by("id").values_list("pk", flat=True))
    people = list(Freelancer.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "name"))

    # Portal logins: every PORTAL_EVERY-th freelancer, from the first (who has engagements).
    User = get_user_model()
    password = make_password(PORTAL_PASSWORD)  # hashed once: hashing 5,000 times would take minutes
    portal = people[::PORTAL_EVERY]
    users = [
        User(email=f"portal{i}@{slug}.generated.test", full_name=name, password=password, date_joined=year_ago)
        for i, (_, name) in enumerate(portal)
    ]
    with _given_times((User, "date_joined"), (Membership, "created_at")):
        insert_in_batches(User, users, progress, "portal logins")
        by_email = dict(User.objects.filter(email__endswith=f"@{slug}.generated.test").values_list("email", "pk"))
        user_ids = [by_email[f"portal{i}@{slug}.generated.test"] for i in range(len(portal))]
        insert_in_batches(
            Membership,
            [Membership(user_id=u, workspace=workspace, role=FREELANCER, created_at=year_ago) for u in user_ids],
            None,
            "",
        )
    linked = [Freelancer(pk=pk, user_id=u) for (pk, _), u in zip(portal, user_ids, strict=True)]
    Freelancer.objects.bulk_update(linked, ["user"], batch_size=BATCH)
    portal_ids = [pk for pk, _ in portal]

    # SOPs with versions, attached to a skill and a task or two.
    sop_count = max(3, len(people) // SOP_PER_FREELANCERS)
    sops = SOP.objects.bulk_create(
        [SOP(workspace=workspace, title=f"{SOP_TOPICS[i % len(SOP_TOPICS)]} {i:04d}") for i in range(sop_count)]
    )
    SOP.skills.through.objects.bulk_create(
        [SOP.skills.through(sop_id=s.pk, skill_id=skills[i % len(skills)].pk) for i, s in enumerate(sops)]
    )
    # SOP i is on task i (the task of engagement i, so the first portal login has one to read) and one more.
    SOP.tasks.through.objects.bulk_create(
        [
            SOP.tasks.through(sop_id=s.pk, task_id=t)
            for i, s in enumerate(sops)
            for t in {tasks[i % len(tasks)], rng.choice(tasks)}
        ]
    )
    versions = []
    for sop in sops:
        count = rng.randint(1, 5)
        day = year_ago + datetime.timedelta(days=rng.randint(0, 200))
        for number in range(1, count + 1):
            versions.append(
                SOPVersion(
                    workspace=workspace,
                    sop=sop,
                    number=number,
                    body=_body(rng, sop.title, number),
                    change_note="First version." if number == 1 else f"Step {rng.randint(2, 9)} clarified.",
                    author=rng.choice(internal_users),
                    created_at=day,
                )
            )
            day += datetime.timedelta(days=rng.randint(5, 40))
    with _given_times((SOPVersion, "created_at")):
        insert_in_batches(SOPVersion, versions, progress, "SOP versions")
    newest: dict[int, list[tuple[int, datetime.datetime]]] = {}
    for pk, sop_id, created in (
        SOPVersion.objects.filter(workspace=workspace)
        .order_by("sop_id", "number")
        .values_list("pk", "sop_id", "created_at")
    ):
        newest.setdefault(sop_id, []).append((pk, created))
    for sop in sops:
        sop.current_version_id = newest[sop.pk][-1][0]
    SOP.objects.bulk_update(sops, ["current_version"], batch_size=BATCH)

    # Acknowledgements: a portal freelancer reads the SOPs of their skills (most the newest version).
    sops_of_skill: dict[int, list[int]] = {}
    for i, sop in enumerate(sops):
        sops_of_skill.setdefault(skills[i % len(skills)].pk, []).append(sop.pk)
    portal_users = dict(zip(portal_ids, user_ids, strict=True))
    acks = []
    for freelancer_id, skill_id in (
        FreelancerSkill.objects.filter(freelancer_id__in=portal_ids)
        .order_by("freelancer_id", "skill_id")
        .values_list("freelancer_id", "skill_id")
    ):
        for sop_id in sops_of_skill.get(skill_id, []):
            chance = rng.random()
            if chance > 0.85:
                continue  # never read it
            history = newest[sop_id]
            version_id, created = history[-1] if chance < 0.7 or len(history) == 1 else history[-2]
            acks.append(
                SOPAcknowledgement(
                    workspace=workspace,
                    version_id=version_id,
                    freelancer_id=freelancer_id,
                    acknowledged_at=min(now, created + datetime.timedelta(days=rng.randint(0, 20))),
                    acknowledged_by_id=portal_users[freelancer_id],
                )
            )
    with _given_times((SOPAcknowledgement, "acknowledged_at")):
        insert_in_batches(SOPAcknowledgement, acks, progress, "SOP acknowledgements")

    # Required documents: most portal freelancers sent most of them, some twice.
    types = DocumentType.objects.bulk_create(
        [DocumentType(workspace=workspace, name=name, expires=expires) for name, expires in DOCUMENT_TYPES]
    )
    documents: list[FreelancerDocument] = []
    for freelancer_id in portal_ids:
        for doc_type in types:
            for _ in range(rng.choice([0, 1, 1, 1, 1, 2])):
                uploaded = year_ago + datetime.timedelta(days=rng.randint(0, 360), seconds=rng.randint(0, 86399))
                documents.append(
                    FreelancerDocument(
                        workspace=workspace,
                        freelancer_id=freelancer_id,
                        document_type=doc_type,
                        file=f"private/ws{workspace.pk}/documents/generated-{len(documents):07d}.pdf",
                        original_name=f"{doc_type.name}.pdf",
                        content_type="application/pdf",
                        size=rng.randint(40_000, 900_000),
                        expires_on=today + datetime.timedelta(days=rng.randint(-60, 400)) if doc_type.expires else None,
                        uploaded_by_id=portal_users[freelancer_id],
                        uploaded_at=uploaded,
                    )
                )
    with _given_times((FreelancerDocument, "uploaded_at")):
        insert_in_batches(FreelancerDocument, documents, progress, "documents")

    # The monthly pulse: the last 12 months, three answers in four.
    month = today.replace(day=1)
    months = []
    for _ in range(12):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    pulses = [
        PulseResponse(
            workspace=workspace,
            freelancer_id=freelancer_id,
            month=answered,
            score=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 8, 6])[0],
            comment=rng.choice(["", "", "", "Good month.", "Too many meetings.", "Unclear brief on one task."]),
        )
        for freelancer_id in portal_ids
        for answered in months
        if rng.random() < 0.75
    ]
    insert_in_batches(PulseResponse, pulses, progress, "pulse answers")

    # Training of the internal members.
    trainings = [
        TrainingRecord(
            workspace=workspace,
            member=member,
            date=today - datetime.timedelta(days=rng.randint(0, 365)),
            topic=rng.choice(["Writing briefs", "Giving feedback", "Time zones", "Trial engagements", "Reviews"]),
            notes="",
            recorded_by=internal_users[0],
            created_at=now,
        )
        for member in internal
        for _ in range(rng.randint(2, 8))
    ]
    TrainingRecord.objects.bulk_create(trainings)

    _audit(result, audit_events, rng, internal_users, portal_users, sops, progress)
    result.counts.update(
        {
            "portal logins": len(portal),
            "SOPs": len(sops),
            "SOP versions": len(versions),
            "SOP acknowledgements": len(acks),
            "documents": len(documents),
            "pulse answers": len(pulses),
            "training records": len(trainings),
            "audit events": audit_events,
        }
    )


def _audit(
    result: Generated,
    total: int,
    rng: random.Random,
    internal_users: list[Any],
    portal_users: dict[int, int],
    sops: list[SOP],
    progress: Progress | None,
) -> None:
    """`total` audit rows over the past year, oldest first (ids and times rise together)."""
    workspace = result.workspace
    now = timezone.now()
    start = now - datetime.timedelta(days=365)
    step = datetime.timedelta(days=365) / max(total, 1)
    engagements = list(Engagement.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True))
    people = list(portal_users)
    tasks = list(Task.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "name"))
    actions, weights = zip(*AUDIT_ACTIONS, strict=True)
    emails = {u.pk: u.email for u in internal_users}
    portal_emails = dict(
        get_user_model().objects.filter(pk__in=portal_users.values()).values_list("pk", "email").iterator()
    )
    rows = []
    for i in range(total):
        action = rng.choices(actions, weights)[0]
        family = action.split(".", 1)[0]
        actor_id: int | None
        by_freelancer = family in {"sop", "pulse", "document"} and action != "sop.version"
        if by_freelancer or (action == "time.log" and rng.random() < 0.7):
            freelancer_id = rng.choice(people)
            actor_id = portal_users[freelancer_id]
            label = portal_emails[actor_id]
        else:
            freelancer_id = rng.choice(people)
            user = rng.choice(internal_users)
            actor_id, label = user.pk, emails[user.pk]
        target_type, target_id, target_label = "", "", ""
        changes: dict[str, Any] = {}
        if family in {"time", "engagement", "milestone", "costentry", "invoice"}:
            engagement = rng.choice(engagements)
            target_type, target_id = "engagements.engagement", str(engagement)
            target_label = f"Engagement #{engagement}"
            if action in {"time.log", "costentry.create"}:
                changes = {"hours": str(rng.randint(1, 8))}
            elif action == "engagement.update":
                changes = {"rate": [str(rng.randint(10, 60)), str(rng.randint(10, 60))]}
        elif family in {"freelancer", "pulse", "document"}:
            target_type, target_id = "talent.freelancer", str(freelancer_id)
            target_label = f"Freelancer {freelancer_id}"
            if action == "pulse.answer":
                changes = {"score": rng.randint(1, 5)}
        elif family == "sop":
            sop = rng.choice(sops)
            target_type, target_id, target_label = "guidance.sop", str(sop.pk), sop.title
        elif family == "task":
            task_id, name = rng.choice(tasks)
            target_type, target_id, target_label = "tasks.task", str(task_id), name
            changes = {"hours": [str(rng.randint(5, 40)), str(rng.randint(5, 40))]}
        elif family == "permission":
            changes = {"path": f"/engagements/{rng.choice(engagements)}/", "method": "GET", "reason": "not yours"}
        rows.append(
            AuditEvent(
                workspace=workspace,
                actor_id=actor_id,
                actor_label=label,
                action=action,
                target_type=target_type,
                target_id=target_id,
                target_label=target_label,
                changes=changes,
                ip_address=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                created_at=start + step * i,
            )
        )
        if len(rows) == BATCH or i == total - 1:
            with _given_times((AuditEvent, "created_at")):
                AuditEvent.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
            if progress:
                progress("audit events", i + 1, total)
