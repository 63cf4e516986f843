"""Owner and manager pages: SOPs, required documents, pulse answers, training; the document file view."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from sourcewise.core.access import EVERYONE, INTERNAL
from sourcewise.core.dates import server_today
from sourcewise.core.downloads import uploaded_file_response
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.guidance import selectors, services
from sourcewise.guidance.forms import DocumentTypeForm, SOPForm, SOPVersionForm, TrainingForm
from sourcewise.guidance.models import SOP, DocumentType, FreelancerDocument, PulseResponse, SOPVersion
from sourcewise.guidance.notifications import request_documents
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.access import scoped_object, scoped_queryset, workspace_view
from sourcewise.workspaces.models import Membership

# SOPs ----------------------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
def sop_list(request: WorkspaceRequest) -> HttpResponse:
    sops = selectors.sop_list(scoped_queryset(request, SOP)).annotate(version_count=Count("versions"))
    query = request.GET.get("q", "").strip()
    if query:
        sops = sops.filter(title__icontains=query)
    return render_page(request, "guidance/sop_list.html", {"page": paginate(request, sops), "q": query}, partial="rows")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def sop_create(request: WorkspaceRequest) -> HttpResponse:
    # The NO_SOP fix links here with the task (?task=<id>): the new SOP is attached to it.
    initial = {"tasks": [request.GET["task"]]} if request.GET.get("task", "").isdigit() else {}
    form = SOPForm(request.POST or None, initial=initial, workspace=request.workspace)
    done = submit(
        request,
        form,
        lambda data: services.create_sop(
            workspace=request.workspace,
            actor=request.user,
            title=data["title"],
            body=data["body"],
            skills=data["skills"],
            tasks=data["tasks"],
        ),
    )
    if done:
        sop = done.result
        messages.success(request, f"“{sop.title}” is published; freelancers it applies to are asked to read it.")
        return redirect("guidance:sop_detail", pk=sop.pk)
    return render_page(request, "guidance/sop_form.html", {"form": form, "title": "Write an SOP"})


@workspace_view(roles=INTERNAL, objects={"pk": SOP})
@require_http_methods(["GET", "POST"])
def sop_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    sop = scoped_object(request, SOP, pk)
    initial = {"title": sop.title, "skills": list(sop.skills.all()), "tasks": list(sop.tasks.all())}
    form = SOPForm(request.POST or None, initial=initial, workspace=request.workspace, with_body=False)
    if submit(
        request,
        form,
        lambda data: services.update_sop(
            sop=sop, actor=request.user, title=data["title"], skills=data["skills"], tasks=data["tasks"]
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("guidance:sop_detail", pk=sop.pk)
    return render_page(request, "guidance/sop_form.html", {"form": form, "title": f"Edit {sop.title}", "sop": sop})


ACKNOWLEDGED_SHOWN = 50


@workspace_view(roles=INTERNAL, objects={"pk": SOP})
def sop_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The SOP, who acknowledged its current version (the newest ACKNOWLEDGED_SHOWN, and how
    many), who has not (a page of them, by name, and how many), its versions."""
    sop = scoped_object(request, SOP, pk, selectors.sop_list(scoped_queryset(request, SOP)))
    acknowledged = selectors.acknowledged_current(sop)
    context = {
        "sop": sop,
        "acknowledged": list(acknowledged[:ACKNOWLEDGED_SHOWN]),
        "acknowledged_count": acknowledged.count() if sop.current_version_id else 0,
        # Counted apart: the cheaper way for a count (`waiting_count`), the page read by name.
        "page": paginate(request, selectors.waiting_for(sop), count=selectors.waiting_count(sop)),
        "versions": selectors.versions_of(sop),
    }
    return render_page(request, "guidance/sop_detail.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": SOP})
@require_http_methods(["GET", "POST"])
def sop_new_version(request: WorkspaceRequest, pk: int) -> HttpResponse:
    sop = scoped_object(request, SOP, pk, selectors.with_current_version(scoped_queryset(request, SOP)))
    initial = {"body": sop.current_version.body if sop.current_version else ""}
    form = SOPVersionForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.add_sop_version(
            sop=sop, actor=request.user, body=data["body"], change_note=data["change_note"]
        ),
    )
    if done:
        version = done.result
        messages.success(request, f"Version {version.number} published; everyone is asked to acknowledge it again.")
        return redirect("guidance:sop_detail", pk=sop.pk)
    return render_page(request, "guidance/sop_version_form.html", {"form": form, "sop": sop})


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2)
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    return [(kinds.get(line[:1], "same"), line) for line in list(lines)[2:]]


@workspace_view(roles=INTERNAL, objects={"pk": SOPVersion})
def sop_version(request: WorkspaceRequest, pk: int) -> HttpResponse:
    version = scoped_object(
        request, SOPVersion, pk, scoped_queryset(request, SOPVersion).select_related("sop", "author")
    )
    previous = version.sop.versions.filter(number__lt=version.number).order_by("-number").first()
    diff = _diff(previous.body, version.body) if previous else []
    return render_page(request, "guidance/sop_version.html", {"version": version, "previous": previous, "diff": diff})


# Documents -----------------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def document_overview(request: WorkspaceRequest) -> HttpResponse:
    """Who has sent which required document; the document types and a form to add one."""
    workspace = request.workspace
    form = DocumentTypeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "defaults":
        created = services.add_default_document_types(workspace=workspace, actor=request.user)
        messages.success(request, f"Added {len(created)} document type(s).")
        return redirect("guidance:document_overview")
    done = submit(
        request, form, lambda data: services.create_document_type(workspace=workspace, actor=request.user, **data)
    )
    if done:
        doc_type = done.result
        messages.success(request, f"{doc_type.name} is now required from freelancers.")
        return redirect("guidance:document_overview")
    freelancers = scoped_queryset(request, Freelancer)
    page = paginate(request, selectors.freelancers_with_login(freelancers).order_by("name", "id"))
    today = server_today()
    statuses = selectors.document_statuses(freelancers.filter(pk__in=[p.pk for p in page]), workspace, today)
    rows = [(person, statuses.get(person.pk, [])) for person in page]
    types = list(scoped_queryset(request, DocumentType).annotate(uploads=Count("documents")).order_by("name", "id"))
    context = {
        "form": form,
        "types": types,
        "required_types": [t for t in types if t.required],
        "rows": rows,
        "page": page,
        # Everyone less those with a login: the two counts an index answers (not a scan of the rest).
        "without_login": freelancers.count() - page.paginator.count,
    }
    return render_page(request, "guidance/document_overview.html", context)


@workspace_view(roles=INTERNAL, objects={"pk": DocumentType})
@require_http_methods(["GET", "POST"])
def document_type_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    doc_type = scoped_object(request, DocumentType, pk)
    form = DocumentTypeForm(request.POST or None, instance=DocumentType.objects.get(pk=doc_type.pk))
    if submit(
        request, form, lambda data: services.update_document_type(document_type=doc_type, actor=request.user, **data)
    ):
        messages.success(request, "Saved.")
        return redirect("guidance:document_overview")
    return render_page(request, "guidance/document_type_form.html", {"form": form, "doc_type": doc_type})


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
def freelancer_documents(request: WorkspaceRequest, pk: int) -> HttpResponse:
    freelancer = scoped_object(request, Freelancer, pk)
    statuses = selectors.document_statuses(
        Freelancer.objects.filter(pk=freelancer.pk),
        request.workspace,
        server_today(),
    ).get(freelancer.pk, [])
    uploads = paginate(request, selectors.documents_of(freelancer))
    return render_page(
        request, "guidance/freelancer_documents.html", {"freelancer": freelancer, "statuses": statuses, "page": uploads}
    )


@workspace_view(roles=INTERNAL, objects={"pk": Freelancer})
@require_http_methods(["POST"])
def freelancer_request_documents(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The DOCUMENT_MISSING fix: email the freelancer the documents still missing or expired."""
    freelancer = scoped_object(request, Freelancer, pk, scoped_queryset(request, Freelancer).select_related("user"))
    if freelancer.user_id is None:
        messages.error(request, f"{freelancer.name} has no portal login yet: invite them first.")
    elif request_documents(freelancer=freelancer, actor=request.user, today=request.workspace.today()):
        messages.success(request, f"{freelancer.name} was asked to upload the missing documents.")
    else:
        messages.info(request, "Nothing sent: nothing is missing, or they were asked today already.")
    return redirect("talent:freelancer_detail", pk=freelancer.pk)


@workspace_view(roles=EVERYONE, objects={"pk": FreelancerDocument})
def document_file(request: WorkspaceRequest, pk: int) -> FileResponse:
    """The only way to a stored document: a member of its workspace (a freelancer: their own)."""
    document = scoped_object(request, FreelancerDocument, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is no longer stored.") from None
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(document.content_type, "bin")
    filename = f"{document.document_type.name} - {document.freelancer.name}.{extension}"
    return uploaded_file_response(handle, content_type=document.content_type, filename=filename)


# Pulse ---------------------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
def pulse_list(request: WorkspaceRequest) -> HttpResponse:
    """One month's answers at a time (the newest month answered, unless ?month=YYYY-MM), by name,
    with links to the months answered before and after: a page never sorts a year of answers."""
    answers = scoped_queryset(request, PulseResponse)
    month = selectors.pulse_month(answers, request.GET.get("month", ""))
    responses = selectors.pulse_responses(answers.filter(month=month)) if month else answers.none()
    context = {
        "page": paginate(request, responses),
        "threshold": request.workspace.unhappy_pulse_max,
        "month": month,
        **(selectors.pulse_neighbours(answers, month) if month else {}),
    }
    return render_page(request, "guidance/pulse_list.html", context)


# Training ------------------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
def training_list(request: WorkspaceRequest) -> HttpResponse:
    members = (
        Membership.objects.filter(workspace=request.workspace, role__in=INTERNAL)
        .select_related("user")
        .annotate(trainings=Count("training_records"), last_training=Max("training_records__date"))
        .order_by("role", "user__full_name", "id")
    )
    return render_page(request, "guidance/training_list.html", {"page": paginate(request, members)})


@workspace_view(roles=INTERNAL, objects={"pk": Membership})
@require_http_methods(["GET", "POST"])
def member_training(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = scoped_object(
        request,
        Membership,
        pk,
        Membership.objects.filter(workspace=request.workspace, role__in=INTERNAL).select_related("user"),
    )
    form = TrainingForm(request.POST or None, initial={"date": server_today()})
    if submit(request, form, lambda data: services.record_training(member=member, actor=request.user, **data)):
        messages.success(request, f"Training recorded for {member.user.display_name}.")
        return redirect("guidance:member_training", pk=member.pk)
    records = paginate(request, member.training_records.select_related("recorded_by").order_by("-date", "-id"))
    return render_page(request, "guidance/member_training.html", {"member": member, "page": records, "form": form})
