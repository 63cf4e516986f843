"""Engagement pages for the team (owner, managers) and for freelancers (their own work only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sourcewise.core.access import EVERYONE, FREELANCER, INTERNAL, OWNER
from sourcewise.core.dates import server_today
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.engagements import checkpoints, guards, lifecycle, milestones, offboarding_flow, selectors, timesheets
from sourcewise.engagements.agreed_rates import engagement_rate_context, engagement_values
from sourcewise.engagements.forms import (
    AssignManagerForm,
    CompleteForm,
    DeliverableForm,
    EngagementForm,
    HandoverForm,
    MilestoneForm,
    OffboardingForm,
    ReturnForm,
    ReviewForm,
    TerminateForm,
    TimeEntryForm,
    TrialCapForm,
)
from sourcewise.engagements.matching_queries import replacement_candidates
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.engagements.paging import keyset_page
from sourcewise.engagements.requirements import unmet_requirements
from sourcewise.guidance.notifications import remind_to_acknowledge
from sourcewise.money.agreed_rates import engagement_band_context
from sourcewise.money.values import Money
from sourcewise.workspaces.access import NotInWorkspace, scoped_object, scoped_queryset, workspace_view
from sourcewise.workspaces.models import Membership


def _member(request: WorkspaceRequest) -> Membership:
    return request.membership


def _engagements(request: WorkspaceRequest) -> QuerySet[Engagement]:
    return selectors.with_related(scoped_queryset(request, Engagement))


def _managed(request: WorkspaceRequest, engagement: Engagement) -> Engagement:
    """The forms that change an engagement open only for its manager or an owner (403, audited).

    The services refuse the change itself too; this spares a manager a form they cannot send.
    """
    if not guards.can_manage(_member(request), engagement):
        raise PermissionDenied(guards.NOT_MANAGER)
    return engagement


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# ── engagements ──────────────────────────────────────────────────────────────


@workspace_view(roles=EVERYONE)
def engagement_list(request: WorkspaceRequest) -> HttpResponse:
    engagements = selectors.list_rows(scoped_queryset(request, Engagement))
    state = request.GET.get("state", "")
    if state in Engagement.State.values:
        engagements = engagements.filter(state=state)
    else:
        state = ""
    query = request.GET.get("q", "").strip()[:100]
    countable = True
    if query:
        engagements, countable = selectors.search(engagements, request.workspace, query)
    # Keyset pages: the 2,000th page costs what the first does (`paging`).
    page = keyset_page(request, engagements, count=countable)
    context = {"page": page, "state": state, "q": query, "states": Engagement.State.choices}
    return render_page(request, "engagements/engagement_list.html", context, partial="rows")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def engagement_create(request: WorkspaceRequest) -> HttpResponse:
    # A fix link ("start a trial") opens the form with the freelancer, task and kind chosen.
    initial = {name: request.GET[name] for name in ("freelancer", "task", "kind") if request.GET.get(name)}
    form = EngagementForm(
        request.POST or None,
        initial=initial,
        workspace=request.workspace,
        member=_member(request),
    )
    done = submit(
        request, form, lambda data: lifecycle.create_draft(workspace=request.workspace, actor=request.user, **data)
    )
    if done:
        engagement = done.result
        messages.success(request, "Draft saved. Add milestones, then start it when everything is ready.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "title": "Plan an engagement", "first_add": _first_add(form)}
    context.update(engagement_band_context(request.workspace, request.POST or None))
    return render_page(request, "engagements/engagement_form.html", context)


def _first_add(form: EngagementForm) -> list[tuple[str, str, str]]:
    """What the workspace has none of yet and an engagement needs: (what, how to add it, its page).
    A new workspace would otherwise meet two empty drop-downs and no word why."""
    needed = (
        ("freelancer", "freelancers", "Add a freelancer", "talent:freelancer_create"),
        ("task", "tasks", "List a task", "tasks:task_create"),
    )
    return [
        (what, label, url_name)
        for field, what, label, url_name in needed
        if not form.fields[field].queryset.exists()  # type: ignore[attr-defined]
    ]


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["GET", "POST"])
def engagement_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    initial = {name: getattr(engagement, name) for name in lifecycle.DRAFT_FIELDS}
    form = EngagementForm(request.POST or None, initial=initial, workspace=request.workspace, member=_member(request))
    if submit(request, form, lambda data: lifecycle.update_draft(engagement=engagement, actor=request.user, **data)):
        messages.success(request, "Saved.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "title": f"Edit {engagement}", "engagement": engagement}
    band_data = request.POST if request.method == "POST" else engagement_values(engagement)
    context.update(engagement_band_context(request.workspace, band_data))
    return render_page(request, "engagements/engagement_form.html", context)


@workspace_view(roles=EVERYONE, objects={"pk": Engagement})
def engagement_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    # Its hours, reviews and the freelancer's scorecard are summed in the same query (≤ 15 in all).
    engagement = scoped_object(request, Engagement, pk, selectors.with_page_sums(_engagements(request)))
    sums = selectors.page_sums(engagement)
    member = _member(request)
    internal = member.is_internal
    # The hours of an engagement the member may see are theirs to see too. By the engagement
    # alone: a workspace filter leads SQLite to count through the workspace's index instead.
    entries = Paginator(TimeEntry.objects.filter(engagement=engagement).select_related("reviewed_by"), 20)
    entries.count = sums.entries  # known already: no COUNT query
    approved = sums.approved
    context: dict[str, Any] = {
        "engagement": engagement,
        "internal": internal,
        "can_manage": internal and guards.can_manage(member, engagement),
        "is_own": not internal and guards.is_own(member, engagement),
        "milestones": selectors.milestones_of(engagement),
        "entries": entries.get_page(request.GET.get("page")),
        "approved_hours": approved,
        "time_form": TimeEntryForm(),
        "deliverable_form": DeliverableForm(),
    }
    if engagement.is_hourly:  # the same approved hours × the rate (what selectors.hourly_fees computes)
        context["fees"] = Money(approved * engagement.rate, engagement.currency)
    if engagement.is_trial:
        context["trial"] = sums.trial
        if member.is_owner and engagement.state in (Engagement.State.DRAFT, Engagement.State.ACTIVE):
            context["trial_cap_form"] = TrialCapForm(initial={"trial_hours_cap": engagement.trial_hours_cap})
    if internal:
        reviews = []
        if sums.reviews:
            reviews = list(CheckpointReview.objects.filter(engagement=engagement).select_related("reviewer")[:20])
        context["reviews"] = reviews
        last = reviews[0] if reviews else None  # newest first (the model's ordering)
        if engagement.state == Engagement.State.ACTIVE:
            context["checkpoint_due"] = selectors.checkpoint_due_on(engagement, last.date if last else None)
        context["scorecard"] = sums.scorecard
        if engagement.state == Engagement.State.DRAFT:
            context["blockers"] = unmet_requirements(engagement)
        context.update(engagement_rate_context(engagement))
    return render_page(request, "engagements/engagement_detail.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["POST"])
def engagement_assign_manager(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The NO_MANAGER fix from the engagement page: name its manager (draft or active)."""
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    form = AssignManagerForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        messages.error(request, "Choose who on your team runs this engagement.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    manager = form.cleaned_data["manager"]
    try:
        lifecycle.assign_manager(engagement=engagement, actor=request.user, manager=manager)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{manager.user.display_name} now manages this engagement.")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["POST"])
def engagement_request_acknowledgement(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The SOP_NOT_ACKNOWLEDGED fix: email the freelancer again about the SOPs they have not read."""
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    if engagement.freelancer.user_id is None:
        messages.error(request, f"{engagement.freelancer.name} has no portal login yet: invite them first.")
        return redirect("talent:freelancer_detail", pk=engagement.freelancer_id)
    today = request.workspace.today()
    sent = remind_to_acknowledge(engagement=engagement, actor=request.user, today=today)
    if sent:
        messages.success(
            request, f"Reminder sent to {engagement.freelancer.name} ({sent} SOP{'s' if sent > 1 else ''})."
        )
    else:
        messages.info(request, "Nothing sent: they were reminded today already, or have read everything.")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["POST"])
def engagement_activate(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = scoped_object(request, Engagement, pk)
    try:
        lifecycle.activate(engagement=engagement, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "It cannot start yet:")
        _refused(request, exc)
    else:
        messages.success(request, "The engagement is active.")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["POST"])
def engagement_cancel(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = scoped_object(request, Engagement, pk)
    try:
        lifecycle.cancel(engagement=engagement, actor=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The draft was cancelled.")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["GET", "POST"])
def engagement_complete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    form = CompleteForm(request.POST or None)
    if not engagement.is_trial:
        del form.fields["trial_rating"]
    if submit(
        request,
        form,
        lambda data: lifecycle.complete(
            engagement=engagement, actor=request.user, rating=data.get("trial_rating"), note=data["completion_note"]
        ),
    ):
        messages.success(request, "The engagement is completed.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "title": f"Complete {engagement}", "engagement": engagement, "button": "Complete"}
    return render_page(request, "engagements/engagement_form.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["GET", "POST"])
def engagement_terminate(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    form = TerminateForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: lifecycle.terminate(engagement=engagement, actor=request.user, reason=data["termination_reason"]),
    ):
        messages.success(request, "The engagement was ended.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "title": f"End {engagement} early", "engagement": engagement, "button": "End it"}
    return render_page(request, "engagements/engagement_form.html", context)


# ── milestones ───────────────────────────────────────────────────────────────


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["GET", "POST"])
def milestone_create(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    form = MilestoneForm(request.POST or None)
    if submit(request, form, lambda data: milestones.add_milestone(engagement=engagement, actor=request.user, **data)):
        messages.success(request, "Milestone added.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "title": "Add a milestone", "engagement": engagement, "button": "Add milestone"}
    return render_page(request, "engagements/engagement_form.html", context)


@workspace_view(roles=(FREELANCER,), objects={"pk": Milestone})
@require_http_methods(["POST"])
def milestone_submit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    milestone = scoped_object(request, Milestone, pk)
    form = DeliverableForm(request.POST)
    if form.is_valid():
        try:
            milestones.submit_deliverable(
                milestone=milestone,
                membership=_member(request),
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"“{milestone.title}” was handed in for review.")
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))  # an ErrorList yields its messages as text
    return redirect("engagements:engagement_detail", pk=milestone.engagement_id)


@workspace_view(roles=INTERNAL, objects={"pk": Milestone})
@require_http_methods(["POST"])
def milestone_review(request: WorkspaceRequest, pk: int) -> HttpResponse:
    milestone = scoped_object(request, Milestone, pk)
    accept = request.POST.get("decision") == "accept"
    form = ReturnForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        milestones.review_deliverable(milestone=milestone, membership=_member(request), accept=accept, note=note)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Accepted." if accept else "Sent back with your note.")
    return redirect("engagements:engagement_detail", pk=milestone.engagement_id)


# ── checkpoints ──────────────────────────────────────────────────────────────


@workspace_view(roles=INTERNAL, objects={"pk": Engagement})
@require_http_methods(["GET", "POST"])
def checkpoint_create(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = _managed(request, scoped_object(request, Engagement, pk, _engagements(request)))
    form = ReviewForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: checkpoints.record_checkpoint(engagement=engagement, membership=_member(request), **data),
    ):
        messages.success(request, "Checkpoint recorded.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {
        "form": form,
        "title": f"Checkpoint review: {engagement}",
        "engagement": engagement,
        "button": "Record checkpoint",
    }
    return render_page(request, "engagements/engagement_form.html", context)


# ── time ─────────────────────────────────────────────────────────────────────


@workspace_view(roles=(FREELANCER,), objects={"pk": Engagement})
@require_http_methods(["POST"])
def time_log(request: WorkspaceRequest, pk: int) -> HttpResponse:
    engagement = scoped_object(request, Engagement, pk, _engagements(request))
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = timesheets.log_time(engagement=engagement, membership=_member(request), **form.cleaned_data)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"{entry.hours} hours logged; your manager will approve them.")
    else:
        for field, errors in form.errors.items():
            for e in errors:
                label = form.fields[field].label if field in form.fields else None
                messages.error(request, f"{label or field.capitalize()}: {e}")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


def _approvable(request: WorkspaceRequest) -> QuerySet[TimeEntry]:
    # The workspace too: a trial's hour limit falls back to the workspace's (no query per trial).
    entries = scoped_queryset(request, TimeEntry).select_related(
        "engagement__freelancer", "engagement__task", "engagement__workspace"
    )
    member = _member(request)
    if not member.is_owner:
        entries = entries.filter(engagement__manager=member)
    return entries


@workspace_view(roles=INTERNAL)
def time_approvals(request: WorkspaceRequest) -> HttpResponse:
    entries = _approvable(request).filter(status=TimeEntry.Status.SUBMITTED)
    page = keyset_page(request, entries, key="date", descending=False)  # oldest first
    trials = selectors.trial_usage_for([e.engagement for e in page if e.engagement.is_trial])
    for entry in page:  # each row shows its trial's usage (one query for the page)
        entry.trial_usage = trials.get(entry.engagement_id)
    return render_page(request, "engagements/time_approvals.html", {"page": page, "trials": trials})


@workspace_view(roles=INTERNAL)
@require_http_methods(["POST"])
def time_approve_selected(request: WorkspaceRequest) -> HttpResponse:
    """ "Approve selected" on Hours to approve: a plain form POST of entry ids, all or none."""
    raw = request.POST.getlist("entries")
    ids = sorted({int(v) for v in raw if v.isdigit()})
    back = redirect("engagements:time_approvals")
    if not ids or len(ids) != len(set(raw)):
        messages.error(request, "Tick the hours to approve first." if not raw else "Unknown hours were chosen.")
        return back
    found = set(scoped_queryset(request, TimeEntry).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:  # another workspace's id looks like no id: 404, audited, nothing approved
        raise NotInWorkspace(TimeEntry, missing[0])
    try:
        approved = timesheets.approve_time_entries(actor=_member(request), entries=ids)
    except ValidationError as exc:
        messages.error(request, "Nothing was approved:")
        _refused(request, exc)
        return back
    hours = sum((e.hours for e in approved), Decimal(0))
    messages.success(
        request,
        f"{len(approved)} {'entry' if len(approved) == 1 else 'entries'} approved ({hours} hours); "
        "their fees are in the cost ledger.",
    )
    return back


@workspace_view(roles=[OWNER], objects={"pk": Engagement})
@require_http_methods(["POST"])
def engagement_trial_cap(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """An owner raises (or resets) the hours a trial may use, with a reason."""
    engagement = scoped_object(request, Engagement, pk, _engagements(request))
    form = TrialCapForm(request.POST)
    if form.is_valid():
        try:
            timesheets.set_trial_hours_cap(
                engagement=engagement,
                actor=_member(request),
                hours=form.cleaned_data["trial_hours_cap"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"This trial may now use {engagement.trial_hour_limit} hours.")
    else:
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{form.fields[field].label or field.capitalize()}: {e}")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@workspace_view(roles=INTERNAL, objects={"pk": TimeEntry})
@require_http_methods(["POST"])
def time_review(request: WorkspaceRequest, pk: int) -> HttpResponse:
    entry = scoped_object(request, TimeEntry, pk, scoped_queryset(request, TimeEntry).select_related("engagement"))
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")[:500]
    error = ""
    try:
        timesheets.review_time(entry=entry, membership=_member(request), approve=approve, note=note)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if getattr(request, "htmx", False):
        entry = (
            scoped_queryset(request, TimeEntry)
            .select_related("engagement__freelancer", "engagement__task")
            .get(pk=entry.pk)
        )
        context = {
            "entry": entry,
            "error": error,
            "can_review": True,
            "show_engagement": True,
            "selectable": request.POST.get("next") == "approvals",
        }
        return render(request, "engagements/_time_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Hours approved." if approve else "Hours sent back.")
    if request.POST.get("next") == "approvals":
        return redirect("engagements:time_approvals")
    return redirect("engagements:engagement_detail", pk=entry.engagement_id)


# ── managers ─────────────────────────────────────────────────────────────────


def _internal_members(request: WorkspaceRequest) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=request.workspace, role__in=INTERNAL).select_related("user")


@workspace_view(roles=INTERNAL)
def manager_list(request: WorkspaceRequest) -> HttpResponse:
    # The active engagements counted per manager in one grouped query and put on the (few) owners
    # and managers here: joining them to every engagement, then sorting, took 150 ms at 100,000.
    active = selectors.active_counts_by_manager(request.workspace)
    members = list(_internal_members(request))
    for member in members:
        member.active = active.get(member.pk, 0)  # type: ignore[attr-defined]
    members.sort(key=lambda m: (-m.active, m.pk))  # type: ignore[attr-defined]
    context = {"page": paginate(request, members), "limit": request.workspace.manager_max_active_engagements}
    return render_page(request, "engagements/manager_list.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": Membership})
def manager_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    manager = scoped_object(request, Membership, pk, _internal_members(request))
    engagements = _engagements(request).filter(manager=manager, state=Engagement.State.ACTIVE)
    context = {
        "manager": manager,
        "page": keyset_page(request, engagements),
        "limit": request.workspace.manager_max_active_engagements,
    }
    return render_page(request, "engagements/manager_detail.html", context)


# ── offboarding ──────────────────────────────────────────────────────────────


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def offboarding_list(request: WorkspaceRequest) -> HttpResponse:
    # The select offers at most a page of people (found by `who`), never the whole network.
    who = request.GET.get("who", "").strip()[:100]
    chosen = request.POST.get("freelancer", "")
    shown = selectors.leaving_choices(request.workspace, who, chosen=int(chosen) if chosen.isdigit() else None)
    form = OffboardingForm(request.POST or None, workspace=request.workspace, shown=shown)
    done = submit(request, form, lambda data: offboarding_flow.start_offboarding(actor=request.user, **data))
    if done:
        offboarding = done.result
        messages.success(request, f"Offboarding of {offboarding.freelancer} started.")
        return redirect("engagements:offboarding_detail", pk=offboarding.pk)
    offboardings = (
        scoped_queryset(request, Offboarding)
        .select_related("freelancer")
        .annotate(total=Count("handovers"), done=Count("handovers", filter=Q(handovers__status=Handover.Status.DONE)))
        .order_by("-created_at", "-id")
    )
    context = {"page": paginate(request, offboardings), "form": form, "who": who}
    return render_page(request, "engagements/offboarding_list.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": Offboarding})
def offboarding_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The handovers of a leaving freelancer. A handover still to do loads its ranked replacements
    and its form with the page (htmx, `handover_candidates`): ranking the workspace's freelancers
    is a search of its own, so the page answers at once whatever their number."""
    offboarding = scoped_object(
        request, Offboarding, pk, scoped_queryset(request, Offboarding).select_related("freelancer")
    )
    handovers = selectors.handovers_with_related(scoped_queryset(request, Handover).filter(offboarding=offboarding))
    member = _member(request)
    rows = [_handover_row(request, member, handover, candidates=None) for handover in handovers]
    return render_page(request, "engagements/offboarding_detail.html", {"offboarding": offboarding, "rows": rows})


def _handover_row(
    request: WorkspaceRequest, member: Membership, handover: Handover, *, candidates: list[Any] | None
) -> dict[str, Any]:
    """A handover's card: its form offers the ranked replacements (`candidates`) and the one chosen."""
    shown = [(c.freelancer_id, c.name) for c in candidates or []]
    if handover.replacement is not None and handover.replacement_id not in {pk for pk, _ in shown}:
        shown.insert(0, (handover.replacement_id, handover.replacement.name))
    form = HandoverForm(
        initial={"status": handover.status, "replacement": handover.replacement_id, "notes": handover.notes},
        workspace=request.workspace,
        shown=shown,
    )
    return {
        "handover": handover,
        "candidates": candidates,
        "form": form,
        # Only the engagement's manager or an owner may update its handover (the service refuses others).
        "can_update": guards.can_manage(member, handover.engagement),
    }


@workspace_view(roles=INTERNAL, objects={"pk": Handover})
def handover_candidates(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Who could take over a handover's engagement, best first, with its form (SPEC G3 score)."""
    # The task's workspace (the ranking's settings) and the leaving freelancer (the title) joined.
    related = selectors.handovers_with_related(scoped_queryset(request, Handover))
    handover = scoped_object(
        request, Handover, pk, related.select_related("engagement__task__workspace", "offboarding__freelancer")
    )
    candidates = replacement_candidates(handover.engagement, today=server_today(), limit=5)
    row = _handover_row(request, _member(request), handover, candidates=candidates)
    context = {"offboarding": handover.offboarding, "row": row}
    return render_page(request, "engagements/handover_candidates.html", context, partial="handover")


@workspace_view(roles=INTERNAL, objects={"pk": Handover})
@require_http_methods(["POST"])
def handover_update(request: WorkspaceRequest, pk: int) -> HttpResponse:
    handover = scoped_object(request, Handover, pk)
    form = HandoverForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            offboarding_flow.update_handover(handover=handover, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Handover saved.")
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))  # an ErrorList yields its messages as text
    return redirect("engagements:offboarding_detail", pk=handover.offboarding_id)
