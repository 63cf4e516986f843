from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from sourcewise.core.access import INTERNAL, scoped_object, scoped_queryset, workspace_view
from sourcewise.core.forms import apply_errors
from sourcewise.core.htmx import render_page
from sourcewise.core.pagination import paginate
from sourcewise.talent import services
from sourcewise.talent.forms import FreelancerForm, SkillForm
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.talent.selectors import with_skills


@workspace_view(roles=INTERNAL)
def freelancer_list(request: HttpRequest) -> HttpResponse:
    freelancers = with_skills(scoped_queryset(request, Freelancer))
    query = request.GET.get("q", "").strip()
    if query:
        freelancers = freelancers.filter(Q(name__icontains=query) | Q(email__icontains=query))
    page = paginate(request, freelancers)
    return render_page(request, "talent/freelancer_list.html", {"page": page, "q": query}, partial="rows")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def freelancer_create(request: HttpRequest) -> HttpResponse:
    form = FreelancerForm(request.POST or None, workspace=request.workspace)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            freelancer = services.create_freelancer(
                workspace=request.workspace,  # type: ignore[attr-defined]
                actor=request.user,
                skills=form.skill_levels(),
                **{f: form.cleaned_data[f] for f in services.FREELANCER_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{freelancer.name} was added to your talent network.")
            return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return render_page(request, "talent/freelancer_form.html", {"form": form, "title": "Add a freelancer"})


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_http_methods(["GET", "POST"])
def freelancer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = scoped_object(request, Freelancer, pk)
    form = FreelancerForm(request.POST or None, instance=copy.copy(freelancer), workspace=request.workspace)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.update_freelancer(
                freelancer=freelancer,
                actor=request.user,
                skills=form.skill_levels(),
                **{f: form.cleaned_data[f] for f in services.FREELANCER_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("talent:freelancer_detail", pk=freelancer.pk)
    return render_page(request, "talent/freelancer_form.html", {"form": form, "title": f"Edit {freelancer.name}"})


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
def freelancer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    freelancer = scoped_object(request, Freelancer, pk, with_skills(scoped_queryset(request, Freelancer)))
    return render_page(request, "talent/freelancer_detail.html", {"freelancer": freelancer})


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def skill_list(request: HttpRequest) -> HttpResponse:
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill = services.create_skill(
                workspace=request.workspace,  # type: ignore[attr-defined]
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Skill {skill.name} added.")
            return redirect("talent:skill_list")
    skills = (
        scoped_queryset(request, Skill)
        .annotate(people=Count("freelancer_levels", distinct=True), task_count=Count("task_needs", distinct=True))
        .order_by("name", "id")
    )
    return render_page(request, "talent/skill_list.html", {"page": paginate(request, skills), "form": form})


@workspace_view(roles=INTERNAL, objects={"pk": Skill})
@require_http_methods(["GET", "POST"])
def skill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    skill = scoped_object(request, Skill, pk)
    form = SkillForm(request.POST or None, instance=copy.copy(skill))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_skill(
                skill=skill,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("talent:skill_list")
    return render_page(request, "talent/skill_form.html", {"form": form, "skill": skill})
