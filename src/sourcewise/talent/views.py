from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.core.access import EVERYONE, FREELANCER, INTERNAL
from sourcewise.core.csvio import csv_response
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.links import site_url
from sourcewise.core.pagination import PAGE_SIZE, paginate
from sourcewise.jobs.selectors import jobs_for
from sourcewise.jobs.views import start_upload_job
from sourcewise.talent import services
from sourcewise.talent.csv_io import export_lines
from sourcewise.talent.forms import (
    FreelancerForm,
    FreelancerSearchForm,
    ImportForm,
    InterviewForm,
    OverlapDateForm,
    PortalInviteForm,
    PortfolioItemForm,
    ReferenceForm,
    ReviewForm,
    SkillForm,
    StatusForm,
    TrialForm,
)
from sourcewise.talent.jobs import IMPORT
from sourcewise.talent.models import (
    TRANSITIONS,
    Freelancer,
    PortfolioItem,
    Skill,
)
from sourcewise.talent.overlap import (
    business_schedule,
    freelancer_schedule,
    next_overlap_change,
    overlap_for,
    timeline,
)
from sourcewise.talent.search import page_by_name, search_freelancers
from sourcewise.talent.selectors import (
    bench_depths,
    board_firsts,
    portal_status,
    profile_loaded,
    share_workspace,
    with_profile,
    with_profile_page,
    with_skills,
    with_usage,
    with_vetting,
)
from sourcewise.talent.vetting import vetting_state
from sourcewise.workspaces.access import deny, scoped_object, scoped_queryset, workspace_view


def _today(request: WorkspaceRequest) -> Any:
    return request.workspace.today()


def _after(request: WorkspaceRequest) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@workspace_view(roles=INTERNAL)
def freelancer_list(request: WorkspaceRequest) -> HttpResponse:
    """Find freelancers by name or email, status, skill and level, language and level, country and
    minimum overlap (talent.search); pages follow each other by keyset (`after`), no COUNT."""
    form = FreelancerSearchForm(request.GET, skills=scoped_queryset(request, Skill).order_by("name", "id"))
    search = form.search()
    freelancers = search_freelancers(
        with_skills(scoped_queryset(request, Freelancer)), search, workspace=request.workspace, today=_today(request)
    )
    page = page_by_name(freelancers, _after(request))
    filters = request.GET.copy()
    filters.pop("after", None)
    context = {"page": page, "form": form, "q": search.q, "searching": search.active, "filters": filters.urlencode()}
    return render_page(request, "talent/freelancer_list.html", context, partial="rows")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def freelancer_create(request: WorkspaceRequest) -> HttpResponse:
    form = FreelancerForm(request.POST or None, workspace=request.workspace)
    done = submit(
        request,
        form,
        lambda data: services.create_freelancer(
            workspace=request.workspace,
            actor=request.user,
            skills=form.skill_levels(),
            new_skills=form.new_skills(),
            languages=form.languages(),
            **{f: data[f] for f in services.FREELANCER_FIELDS},
        ),
    )
    if done:
        freelancer = done.result
        messages.success(request, f"{freelancer.name} was added to your talent network.")
        return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return render_page(request, "talent/freelancer_form.html", {"form": form, "title": "Add a freelancer"})


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_http_methods(["GET", "POST"])
def freelancer_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    freelancer = scoped_object(request, Freelancer, pk, with_profile(scoped_queryset(request, Freelancer)))
    form = FreelancerForm(request.POST or None, instance=copy.copy(freelancer), workspace=request.workspace)
    if submit(
        request,
        form,
        lambda data: services.update_freelancer(
            freelancer=freelancer,
            actor=request.user,
            skills=form.skill_levels(),
            new_skills=form.new_skills(),
            languages=form.languages(),
            **{f: data[f] for f in services.FREELANCER_FIELDS},
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return render_page(request, "talent/freelancer_form.html", {"form": form, "title": f"Edit {freelancer.name}"})


def _load(request: WorkspaceRequest, pk: int) -> Freelancer:
    queryset = with_profile_page(scoped_queryset(request, Freelancer), request.workspace)
    return profile_loaded(scoped_object(request, Freelancer, pk, queryset), request.workspace)


def _svg_rows(line: Any) -> list[dict[str, Any]]:
    def bars(periods: list[tuple[float, float]]) -> list[dict[str, float]]:
        return [{"x": round(s / 24 * 100, 3), "w": round((e - s) / 24 * 100, 3)} for s, e in periods]

    return [
        {"label": "You", "y": 4, "bars": bars(line.business), "cls": "tl-business"},
        {"label": "Them", "y": 26, "bars": bars(line.freelancer), "cls": "tl-freelancer"},
        {"label": "Both", "y": 48, "bars": bars(line.overlap), "cls": "tl-overlap"},
    ]


def _detail(request: WorkspaceRequest, freelancer: Freelancer, status: int = 200, **forms: Any) -> HttpResponse:
    workspace = request.workspace
    today = _today(request)
    business = business_schedule(workspace)
    schedule = freelancer_schedule(freelancer)
    # `?on=`: the overlap over the 28 days from another date (a bad one shows a form error).
    on_form = OverlapDateForm(request.GET if "on" in request.GET else None, today=today)
    start = on_form.start()
    overlap = overlap_for(business, schedule, start)
    line = timeline(business, schedule, start)
    change = next_overlap_change(business, schedule, start)
    context = {
        "freelancer": freelancer,
        "vetting": vetting_state(freelancer),
        "overlap": overlap,
        "overlap_ok": overlap.at_least(workspace.min_tz_overlap_hours),
        "overlap_form": on_form,
        "overlap_start": start,
        "overlap_from_today": start == today,
        "overlap_change": change,
        "overlap_change_side": change.side(business) if change else "",
        "timeline": line,
        "timeline_rows": _svg_rows(line),
        "hours_ticks": [{"x": h / 24 * 100, "label": f"{h:02d}"} for h in range(0, 25, 6)],
        "next_statuses": [(s, Freelancer.Status(s).label) for s in TRANSITIONS[freelancer.status]],
        "portfolio_form": forms.get("portfolio_form") or PortfolioItemForm(prefix="portfolio"),
        "reference_form": forms.get("reference_form") or ReferenceForm(prefix="reference"),
        "interview_form": forms.get("interview_form") or InterviewForm(prefix="interview", initial={"held_on": today}),
        "trial_form": forms.get("trial_form") or TrialForm(prefix="trial", initial={"completed_on": today}),
        "status_errors": forms.get("status_errors", []),
        "portal": portal_status(freelancer),
        "invite_form": forms.get("invite_form")
        or PortalInviteForm(prefix="invite", initial={"email": freelancer.email}),
        "fair_pay_on": today,  # the profile rate's fair band ({% freelancer_fair_pay %}, money)
    }
    return render_page(request, "talent/freelancer_detail.html", context, status=status)


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
def freelancer_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


def _vetting_action(
    request: WorkspaceRequest,
    pk: int,
    form_class: type[forms.BaseForm],
    prefix: str,
    save: Callable[[Freelancer, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    freelancer = _load(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if submit(request, form, lambda data: save(freelancer, data)):
        messages.success(request, done)
        return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return _detail(request, _load(request, pk), status=422, **{f"{prefix}_form": form})


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def portfolio_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    def save(freelancer: Freelancer, data: dict[str, Any]) -> None:
        services.add_portfolio_item(freelancer=freelancer, actor=request.user, **data)

    return _vetting_action(request, pk, PortfolioItemForm, "portfolio", save, "Portfolio item added.")


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer, "item": PortfolioItem})
@require_POST
def portfolio_review(request: WorkspaceRequest, pk: int, item: int) -> HttpResponse:
    freelancer = _load(request, pk)
    portfolio_item = scoped_object(
        request, PortfolioItem, item, scoped_queryset(request, PortfolioItem).filter(freelancer=freelancer)
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.review_portfolio_item(item=portfolio_item, actor=request.user, rating=form.cleaned_data["rating"])
        messages.success(request, f"Review of {portfolio_item.title} saved.")
    else:
        messages.error(request, "Choose a rating from 1 to 5 to review the item.")
    return redirect("talent:freelancer_detail", pk=freelancer.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def reference_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    def save(freelancer: Freelancer, data: dict[str, Any]) -> None:
        services.add_reference(freelancer=freelancer, actor=request.user, **data)

    return _vetting_action(request, pk, ReferenceForm, "reference", save, "Reference recorded.")


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def interview_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    def save(freelancer: Freelancer, data: dict[str, Any]) -> None:
        services.record_interview(freelancer=freelancer, actor=request.user, **data)

    return _vetting_action(request, pk, InterviewForm, "interview", save, "Interview recorded.")


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def trial_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    def save(freelancer: Freelancer, data: dict[str, Any]) -> None:
        services.record_trial(freelancer=freelancer, actor=request.user, **data)

    return _vetting_action(request, pk, TrialForm, "trial", save, "Trial recorded.")


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def freelancer_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move along the pipeline, from the profile or the board (htmx answers with the board)."""
    freelancer = _load(request, pk)
    form = StatusForm(request.POST)
    errors: list[str] = []
    if not form.is_valid():
        errors = ["Choose a status."]
    else:
        try:
            services.change_status(freelancer=freelancer, actor=request.user, status=form.cleaned_data["status"])
        except ValidationError as exc:
            errors = list(exc.messages)
    from_board = request.POST.get("from") == "board"
    if from_board:
        return _board(request, errors=errors, failed=freelancer if errors else None)
    if errors:
        return _detail(request, _load(request, pk), status=422, status_errors=errors)
    messages.success(request, f"{freelancer.name} is now {freelancer.get_status_display().lower()}.")
    return redirect("talent:freelancer_detail", pk=freelancer.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_POST
def freelancer_invite(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Invite the freelancer to the portal: whoever accepts gets this profile (owner or manager)."""
    freelancer = _load(request, pk)
    form = PortalInviteForm(request.POST, prefix="invite")
    sent = submit(
        request,
        form,
        lambda data: services.invite_to_portal(
            freelancer=freelancer, actor=request.user, email=data["email"], base_url=site_url(request)
        ),
    )
    if sent:
        invitation, _link = sent.result
        messages.success(request, f"Invitation to the portal sent to {invitation.email}.")
        return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return _detail(request, _load(request, pk), status=422, invite_form=form)


# Cards per column: the first few by name, enough to act on at a glance; each card costs its
# vetting rows and a form, so a column of thousands links to the filtered list instead.
BOARD_COLUMN_SIZE = 10


def _board(
    request: WorkspaceRequest, errors: list[str] | None = None, failed: Freelancer | None = None
) -> HttpResponse:
    base = scoped_queryset(request, Freelancer)
    counts = dict(base.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    people = with_vetting(base.filter(board_firsts(base, BOARD_COLUMN_SIZE)), request.workspace).order_by("name", "pk")
    cards: dict[str, list[Any]] = {s: [] for s in Freelancer.Status.values}
    for f in share_workspace(people, request.workspace):
        cards[f.status].append(
            {
                "f": f,
                "vetting": vetting_state(f),
                "next": [(s, Freelancer.Status(s).label) for s in TRANSITIONS[f.status]],
            }
        )
    columns = [
        {"status": s, "label": label, "cards": cards[s], "count": counts.get(s, 0)}
        for s, label in Freelancer.Status.choices
    ]
    context = {"columns": columns, "errors": errors or [], "failed": failed, "column_size": BOARD_COLUMN_SIZE}
    return render_page(request, "talent/board.html", context, partial="board")


@workspace_view(roles=INTERNAL)
def board(request: WorkspaceRequest) -> HttpResponse:
    return _board(request)


@workspace_view(roles=INTERNAL)
def bench(request: WorkspaceRequest) -> HttpResponse:
    """Bench depth per skill, thinnest first: the depths of every skill in one grouped query, the
    skills (a workspace has tens, not thousands) sorted and paged in memory."""
    workspace = request.workspace
    depths = bench_depths(workspace)
    skills = list(with_usage(scoped_queryset(request, Skill), people=False).defer("description"))
    for skill in skills:
        skill.depth = depths.get(skill.pk, 0)  # type: ignore[attr-defined]
    thin = request.GET.get("show") != "all"
    if thin:
        skills = [s for s in skills if s.depth <= 1]  # type: ignore[attr-defined]
    skills.sort(key=lambda s: (s.depth, s.name, s.pk))  # type: ignore[attr-defined]
    page = Paginator(skills, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request, "talent/bench.html", {"page": page, "thin": thin, "min_level": workspace.bench_min_level}
    )


@workspace_view(roles=INTERNAL)
def freelancer_export(request: WorkspaceRequest) -> StreamingHttpResponse:
    lines = export_lines(request.workspace, scoped_queryset(request, Freelancer))
    return csv_response(lines, "freelancers.csv")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def freelancer_import(request: WorkspaceRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return start_upload_job(
            request,
            form.cleaned_data["file"],
            kind=IMPORT,
            back="talent:freelancer_import",
            back_label="Import another file",
        )
    jobs = jobs_for(request.membership, kind=IMPORT)[:10]
    return render_page(request, "talent/import.html", {"form": form, "jobs": jobs})


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def skill_list(request: WorkspaceRequest) -> HttpResponse:
    form = SkillForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.create_skill(
            workspace=request.workspace, actor=request.user, name=data["name"], description=data["description"]
        ),
    )
    if done:
        skill = done.result
        messages.success(request, f"Skill {skill.name} added.")
        return redirect("talent:skill_list")
    skills = with_usage(scoped_queryset(request, Skill)).order_by("name", "id")
    return render_page(request, "talent/skill_list.html", {"page": paginate(request, skills), "form": form})


@workspace_view(roles=INTERNAL, objects={"pk": Skill})
@require_http_methods(["GET", "POST"])
def skill_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    skill = scoped_object(request, Skill, pk)
    form = SkillForm(request.POST or None, instance=copy.copy(skill))
    if submit(
        request,
        form,
        lambda data: services.update_skill(
            skill=skill, actor=request.user, name=data["name"], description=data["description"]
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("talent:skill_list")
    return render_page(request, "talent/skill_form.html", {"form": form, "skill": skill})


@workspace_view(roles=EVERYONE)
def my_profile(request: WorkspaceRequest) -> HttpResponse:
    """A person's own page in the workspace: their role, and for freelancers their profile.

    Here, above workspaces, because a freelancer's page is their talent profile; the URL stays
    /workspaces/me/ (config/urls.py)."""
    membership = request.membership
    profile = None
    if membership.role == FREELANCER:
        profile = Freelancer.objects.for_member(membership).prefetch_related("skill_levels__skill").first()
        if profile is None:
            raise deny(request, "No freelancer profile is linked to your account yet.")
    return render(request, "workspaces/my_profile.html", {"profile": profile})
