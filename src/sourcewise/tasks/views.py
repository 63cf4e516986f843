from __future__ import annotations

import copy

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.core.access import INTERNAL
from sourcewise.core.csvio import csv_response
from sourcewise.core.dates import server_today
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.jobs.views import start_upload_job
from sourcewise.talent.models import Skill
from sourcewise.tasks import services
from sourcewise.tasks.advisor import advise
from sourcewise.tasks.charts import share_chart
from sourcewise.tasks.forms import ApplyTemplateForm, AssessmentForm, DeliverableForm, ImportForm, TaskForm
from sourcewise.tasks.importer import export_tasks
from sourcewise.tasks.jobs import IMPORT
from sourcewise.tasks.models import Deliverable, Task
from sourcewise.tasks.selectors import active, outsourcing_map_page, with_advice_data
from sourcewise.tasks.task_templates import TEMPLATES
from sourcewise.workspaces.access import scoped_object, scoped_queryset, workspace_view


def _tasks(request: WorkspaceRequest) -> QuerySet[Task]:
    return with_advice_data(scoped_queryset(request, Task))


@workspace_view(roles=INTERNAL)
def task_list(request: WorkspaceRequest) -> HttpResponse:
    archived = request.GET.get("show") == "archived"
    tasks = _tasks(request).filter(archived_at__isnull=not archived)
    query = request.GET.get("q", "").strip()
    if query:
        tasks = tasks.filter(name__icontains=query)
    page = paginate(request, tasks)
    rows = [(task, advise(task, request.workspace)) for task in page]
    return render_page(
        request,
        "tasks/task_list.html",
        {"page": page, "rows": rows, "q": query, "archived": archived},
        partial="rows",
    )


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def task_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial = {}
    chosen = TEMPLATES.get(request.GET.get("template", ""))
    if chosen:
        initial = {
            "template": chosen.key,
            "name": chosen.name,
            "description": chosen.description,
            "frequency": chosen.frequency,
            "hours": chosen.hours,
            "checkpoint_every_days": chosen.checkpoint_every_days,
        }
        levels = {name.lower(): level for name, level in chosen.skills}
        for skill in scoped_queryset(request, Skill).only("id", "name"):  # its skills the workspace has
            if skill.name.lower() in levels:
                initial[f"skill_{skill.pk}"] = levels[skill.name.lower()]
    form = TaskForm(request.POST or None, workspace=workspace, creating=True, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.create_task(
            workspace=workspace,
            actor=request.user,
            skills=form.skill_levels(),
            new_skills=form.new_skills(),
            template=data.get("template") or None,
            **form.task_fields(),
        ),
    )
    if done:
        task = done.result
        messages.success(request, f"Task {task.name} added. Answer the four core questions next.")
        return redirect("tasks:task_detail", pk=task.pk)
    return render_page(
        request,
        "tasks/task_form.html",
        {"form": form, "title": "Add a task", "templates": TEMPLATES.values(), "chosen": chosen},
    )


def _workbench(request: WorkspaceRequest, task: Task, **forms: object) -> dict[str, object]:
    workspace = request.workspace
    return {
        "task": task,
        "advice": advise(task, workspace),
        "assessment_form": forms.get("assessment_form") or AssessmentForm(task=task),
        "deliverable_form": forms.get("deliverable_form") or DeliverableForm(),
        "template_form": ApplyTemplateForm(),
        "workspace": workspace,
    }


def _reload(request: WorkspaceRequest, pk: int) -> Task:
    return scoped_object(request, Task, pk, _tasks(request))


@workspace_view(roles=INTERNAL, objects={"pk": Task})
def task_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    # Its findings are read from the stored ones by the template (`{% subject_findings %}`).
    return render_page(request, "tasks/task_detail.html", _workbench(request, _reload(request, pk)))


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_http_methods(["GET", "POST"])
def task_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    form = TaskForm(request.POST or None, instance=copy.copy(task), workspace=request.workspace)
    if submit(
        request,
        form,
        lambda _data: services.update_task(
            task=task,
            actor=request.user,
            skills=form.skill_levels(),
            new_skills=form.new_skills(),
            **form.task_fields(),
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("tasks:task_detail", pk=task.pk)
    return render_page(request, "tasks/task_form.html", {"form": form, "title": f"Edit {task.name}", "task": task})


def _answer_workbench(request: WorkspaceRequest, task: Task, status: int = 200, **forms: object) -> HttpResponse:
    if getattr(request, "htmx", False):
        fresh = _reload(request, task.pk)
        return render_page(
            request, "tasks/task_detail.html", _workbench(request, fresh, **forms), partial="workbench", status=status
        )
    if status != 200:
        context = _workbench(request, _reload(request, task.pk), **forms)
        context["findings"] = []
        return render_page(request, "tasks/task_detail.html", context, status=status)
    return redirect("tasks:task_detail", pk=task.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_POST
def task_assess(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    form = AssessmentForm(request.POST, task=task)
    if not form.is_valid():
        return _answer_workbench(request, task, 422, assessment_form=form)
    services.assess_task(
        task=task, actor=request.user, answers=form.answers(), core_choice=form.cleaned_data.get("core_choice") or ""
    )
    if not getattr(request, "htmx", False):
        messages.success(request, "Core assessment saved.")
    return _answer_workbench(request, task)


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_POST
def deliverable_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    form = DeliverableForm(request.POST)
    if submit(request, form, lambda data: services.add_deliverable(task=task, actor=request.user, **data)):
        if not getattr(request, "htmx", False):
            messages.success(request, "Deliverable added.")
        return _answer_workbench(request, task)
    return _answer_workbench(request, task, 422, deliverable_form=form)


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_POST
def task_apply_template(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    form = ApplyTemplateForm(request.POST)
    if form.is_valid():
        services.apply_template(task=task, actor=request.user, template=form.cleaned_data["template"])
        messages.success(
            request,
            f"Added the deliverables and skills of the {TEMPLATES[form.cleaned_data['template']].name} template.",
        )
    else:
        messages.error(request, "Choose one of the templates.")
    return redirect("tasks:task_detail", pk=task.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Task})
@require_POST
def task_archive(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    if task.is_archived:
        services.restore_task(task=task, actor=request.user)
        messages.success(request, f"{task.name} is active again.")
    else:
        services.archive_task(task=task, actor=request.user)
        messages.success(request, f"{task.name} archived: it no longer counts in the advisor and the map.")
    return redirect("tasks:task_detail", pk=task.pk)


@workspace_view(roles=INTERNAL, objects={"pk": Deliverable})
@require_http_methods(["GET", "POST"])
def deliverable_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    deliverable = scoped_object(request, Deliverable, pk, scoped_queryset(request, Deliverable).select_related("task"))
    form = DeliverableForm(request.POST or None, instance=copy.copy(deliverable))
    if submit(
        request, form, lambda data: services.update_deliverable(deliverable=deliverable, actor=request.user, **data)
    ):
        messages.success(request, "Deliverable saved.")
        return redirect("tasks:task_detail", pk=deliverable.task_id)
    return render_page(
        request, "tasks/deliverable_form.html", {"form": form, "deliverable": deliverable, "task": deliverable.task}
    )


@workspace_view(roles=INTERNAL, objects={"pk": Deliverable})
@require_POST
def deliverable_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    deliverable = scoped_object(request, Deliverable, pk)
    task_id = deliverable.task_id
    services.delete_deliverable(deliverable=deliverable, actor=request.user)
    messages.success(request, f"Deliverable {deliverable.name} removed.")
    return redirect("tasks:task_detail", pk=task_id)


@workspace_view(roles=INTERNAL)
def outsourcing_map_view(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    result = outsourcing_map_page(workspace, active(scoped_queryset(request, Task)))
    return render_page(
        request,
        "tasks/outsourcing_map.html",
        {"map": result, "chart": share_chart(result), "workspace": workspace},
    )


@workspace_view(roles=INTERNAL)
def task_export(request: WorkspaceRequest) -> StreamingHttpResponse:
    workspace = request.workspace
    lines = export_tasks(active(scoped_queryset(request, Task)))
    stamp = server_today().isoformat()
    return csv_response(lines, f"tasks-{workspace.pk}-{stamp}.csv")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def task_import(request: WorkspaceRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[object] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            return start_upload_job(
                request, form.cleaned_data["file"], kind=IMPORT, back="tasks:task_import", back_label="Import tasks"
            )
        status = 422
    return render_page(request, "tasks/task_import.html", {"form": form, "errors": errors}, status=status)
