from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from sourcewise.core.access import INTERNAL, scoped_object, scoped_queryset, workspace_view
from sourcewise.core.forms import apply_errors
from sourcewise.core.htmx import render_page
from sourcewise.core.pagination import paginate
from sourcewise.tasks import services
from sourcewise.tasks.forms import TaskForm
from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import with_skills

TASK_FIELDS = ("name", "description")


@workspace_view(roles=INTERNAL)
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = with_skills(scoped_queryset(request, Task))
    query = request.GET.get("q", "").strip()
    if query:
        tasks = tasks.filter(name__icontains=query)
    return render_page(request, "tasks/task_list.html", {"page": paginate(request, tasks), "q": query}, partial="rows")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST or None, workspace=request.workspace)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(
                workspace=request.workspace,  # type: ignore[attr-defined]
                actor=request.user,
                skills=form.skill_levels(),
                **{f: form.cleaned_data[f] for f in TASK_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Task {task.name} added.")
            return redirect("tasks:task_detail", pk=task.pk)
    return render_page(request, "tasks/task_form.html", {"form": form, "title": "Add a task"})


@workspace_view(roles=INTERNAL, objects={"pk": Task})
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk, with_skills(scoped_queryset(request, Task)))
    return render_page(request, "tasks/task_detail.html", {"task": task})


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    form = TaskForm(request.POST or None, instance=copy.copy(task), workspace=request.workspace)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(
                task=task,
                actor=request.user,
                skills=form.skill_levels(),
                **{f: form.cleaned_data[f] for f in TASK_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("tasks:task_detail", pk=task.pk)
    return render_page(request, "tasks/task_form.html", {"form": form, "title": f"Edit {task.name}"})
