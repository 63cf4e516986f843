"""What the findings engine needs to know about engagements and the subjects around them.

Found by findings' `autodiscover_modules("findings_hooks")`. Findings sits below the apps
whose rows it judges; engagements is the lowest app that sees every subject model
(engagement, freelancer, task, SOP, member), so it tells the engine:

- how far a write reaches (`scope_for`), what counts as outsourced work to score
  (`outsourced_work`) and which tasks need a skill (`tasks_needing_skills`), registered as
  the findings `Domain`;
- the one-action fixes of the codes whose fix acts on an engagement (`@fix_action`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, Q, QuerySet
from django.urls import reverse

from sourcewise.engagements.guards import assignable_managers, can_manage
from sourcewise.engagements.models import Engagement
from sourcewise.findings.actions import POST, ActionContext, FixAction, fix_action
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.registry import Domain, Scope, register_domain
from sourcewise.guidance.models import SOP
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Workspace

# Engagement states that mean the work really started (a draft is a plan; a cancelled draft never ran).
STARTED_STATES = ("active", "completed", "terminated")


# -- the findings domain ---------------------------------------------------------------------


def scope_for(
    workspace: Workspace, touched: dict[str, set[int]], referenced: dict[str, set[int]] | None = None
) -> Scope:
    """Widen the subjects a write touched to all subjects whose local findings it can change.

    An engagement's findings read its freelancer, task, manager and the task's SOPs; a
    freelancer's read their engagements (trials count for their full engagements and their
    vetting); a task's read its engagements and SOPs; a member's the engagements they
    manage; an SOP's change reaches the tasks it is on and the tasks that need one of its
    skills. So: the tasks of every touched SOP, the engagements of every touched subject,
    then the freelancers, tasks and managers of those engagements, the sibling engagements
    of those freelancers, and the SOPs of those tasks.

    `referenced` subjects (a task or manager an engagement points to, when only the
    engagement changed) are looked at themselves, without widening to their engagements.
    """
    # The workspace as `workspace_id + 0`: still every row's condition, but not an index SQLite
    # (no ANALYZE) may pick: it walked the workspace's 100,000 engagements by its workspace index
    # instead of looking up the few ids below by theirs (0.2 s, not 1 ms, for each lookup).
    engagements = Engagement.objects.in_workspace_unindexed(workspace.pk)
    sops = set(touched.get("sop", ()))
    tasks = set(touched.get("task", ()))
    if sops:
        on_task = SOP.tasks.through.objects.filter(sop_id__in=sorted(sops)).values_list("task_id", flat=True)
        on_skill = TaskSkill.objects.filter(skill__sops__in=sorted(sops), task__workspace=workspace).values_list(
            "task_id", flat=True
        )
        tasks |= set(on_task) | set(on_skill)
    freelancers = set(touched.get("freelancer", ()))
    members = set(touched.get("membership", ()))
    # One indexed lookup per kind of seed (an OR of the four scans the whole table).
    fields = ("pk", "freelancer_id", "task_id", "manager_id")
    rows = []
    for lookup, ids in (
        ("pk__in", touched.get("engagement", ())),
        ("freelancer__in", freelancers),
        ("task__in", tasks),
        ("manager__in", members),
    ):
        if ids:
            rows += list(engagements.filter(**{lookup: sorted(ids)}).values_list(*fields))
    new_freelancers = {r[1] for r in rows} - freelancers
    freelancers |= new_freelancers
    if new_freelancers:
        rows += list(
            engagements.filter(freelancer__in=sorted(new_freelancers)).values_list(
                "pk", "freelancer_id", "task_id", "manager_id"
            )
        )
    engagement_ids = {r[0] for r in rows} | set(touched.get("engagement", ()))
    tasks |= {r[2] for r in rows}
    members |= {r[3] for r in rows if r[3] is not None}
    referenced = referenced or {}
    tasks |= referenced.get("task", set())
    members |= referenced.get("membership", set())
    return Scope(
        engagement=frozenset(engagement_ids),
        freelancer=frozenset(freelancers),
        task=frozenset(tasks),
        sop=frozenset(sops),
        membership=frozenset(members),
    )


def outsourced_work(workspace_id: int) -> Q:
    """Outsourced work = an engagement that started (active, completed or terminated) or a
    task, not archived, whose sourcing decision is "outsourced"."""
    engaged = Engagement.objects.filter(workspace_id=workspace_id, state__in=STARTED_STATES)
    outsourced = Task.objects.filter(
        workspace_id=workspace_id, archived_at__isnull=True, sourcing=Task.Sourcing.OUTSOURCE
    )
    return Q(Exists(engaged)) | Q(Exists(outsourced))


def tasks_needing_skills(skill_ids: list[int]) -> QuerySet[TaskSkill, int]:
    return TaskSkill.objects.filter(skill_id__in=skill_ids).values_list("task_id", flat=True).distinct()


register_domain(Domain(scope_for=scope_for, outsourced_work=outsourced_work, tasks_needing_skills=tasks_needing_skills))


# -- one-action fixes on an engagement -------------------------------------------------------


def _engagement(record: FindingRecord, ctx: ActionContext) -> Any:
    """The engagement a finding is about, or None when it is about something else: a code can
    be raised on other subjects too (UNVETTED_FREELANCER on freelancers), whose ids are not
    engagement ids."""
    if record.subject_type != "engagement" or record.subject_id is None:
        return None
    subject = ctx.subject
    if isinstance(subject, Engagement) and subject.pk == record.subject_id:
        return subject
    key = f"engagement:{record.subject_id}"
    if key not in ctx.cache:
        ctx.cache[key] = (
            Engagement.objects.filter(workspace_id=record.workspace_id, pk=record.subject_id)
            .select_related("freelancer", "task")
            .first()
        )
    return ctx.cache[key]


def _manages(ctx: ActionContext, engagement: Any) -> bool:
    return ctx.membership.is_internal and can_manage(ctx.membership, engagement)


@fix_action("NO_MANAGER")
def assign_manager(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    team = assignable_managers(ctx.membership).select_related("user").order_by("id")
    choices = tuple((m.pk, f"{m.user.display_name} ({m.get_role_display().lower()})") for m in team)
    if not choices:
        return None
    url = reverse("engagements:engagement_assign_manager", args=[engagement.pk])
    return FixAction("Assign manager", url, POST, field="manager", choices=choices)


@fix_action("SOP_NOT_ACKNOWLEDGED")
def request_acknowledgement(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    if engagement.freelancer.user_id is None:
        url = reverse("talent:freelancer_detail", args=[engagement.freelancer_id]) + "#portal-invite"
        return FixAction("Invite them to the portal first", url)
    url = reverse("engagements:engagement_request_acknowledgement", args=[engagement.pk])
    return FixAction("Email the reminder again", url, POST)


@fix_action("NO_TRIAL")
def start_trial(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not ctx.membership.is_internal:
        return None
    query = urlencode({"freelancer": engagement.freelancer_id, "task": engagement.task_id, "kind": "trial"})
    return FixAction("Plan a trial", f"{reverse('engagements:engagement_create')}?{query}")


@fix_action("CHECKPOINT_OVERDUE")
def record_checkpoint(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    return FixAction("Record checkpoint", reverse("engagements:checkpoint_create", args=[engagement.pk]))


@fix_action("UNVETTED_FREELANCER")
def finish_vetting(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    """Raised on the freelancer (talent/rules.py) or on an engagement of theirs (rules.py)."""
    if not ctx.membership.is_internal or record.subject_id is None:
        return None
    if record.subject_type == "freelancer":
        freelancer_id = record.subject_id
    else:
        engagement = _engagement(record, ctx)
        if engagement is None:
            return None
        freelancer_id = engagement.freelancer_id
    return FixAction("Open their vetting", reverse("talent:freelancer_detail", args=[freelancer_id]) + "#vetting")
