"""The freelancer portal: their SOPs to acknowledge, their documents, the monthly pulse.

Every page is for the freelancer role only and reads through `for_member`/`visible_to`,
so a freelancer sees their own rows and nothing else. Other apps add sections to the home
page with `register_home_section(template, context)`: `context(request, freelancer)` reads
through the same scoping and returns what `template` shows (engagements add theirs, with
milestones and hours, in `engagements/wiring.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.core.access import FREELANCER
from sourcewise.core.dates import server_today
from sourcewise.core.form_flow import submit
from sourcewise.core.forms import apply_errors
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.guidance import selectors, services
from sourcewise.guidance.forms import DocumentUploadForm, PulseForm
from sourcewise.guidance.models import SOP, PulseResponse
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.access import deny, scoped_object, scoped_queryset, workspace_view


@dataclass(frozen=True)
class HomeSection:
    template: str
    context: Callable[[WorkspaceRequest, Freelancer], dict[str, Any]]


_HOME_SECTIONS: dict[str, HomeSection] = {}


def register_home_section(template: str, context: Callable[[WorkspaceRequest, Freelancer], dict[str, Any]]) -> None:
    """Show `template` on the portal home, with `context(request, freelancer)` added to its context."""
    _HOME_SECTIONS[template] = HomeSection(template, context)


def my_profile(request: WorkspaceRequest) -> Freelancer:
    """The freelancer profile linked to the signed-in person in this workspace (or a clear 403)."""
    profile = scoped_queryset(request, Freelancer).order_by("id").first()
    if profile is None:
        raise deny(request, "No freelancer profile is linked to your account yet; ask the business to link it.")
    return profile


def _pulse_context(
    request: WorkspaceRequest, freelancer: Freelancer, form: PulseForm | None = None
) -> dict[str, object]:
    today = server_today()
    current = (
        scoped_queryset(request, PulseResponse).filter(freelancer=freelancer, month=selectors.month_of(today)).first()
    )
    if form is None:
        form = PulseForm(initial={"score": current.score, "comment": current.comment} if current else None)
    return {"pulse_form": form, "pulse": current, "month": selectors.month_of(today)}


@workspace_view(roles=[FREELANCER])
def home(request: WorkspaceRequest) -> HttpResponse:
    freelancer = my_profile(request)
    workspace = request.workspace
    to_acknowledge = list(selectors.unacknowledged_sops(freelancer))
    statuses = selectors.document_statuses(Freelancer.objects.filter(pk=freelancer.pk), workspace, server_today()).get(
        freelancer.pk, []
    )
    sops = selectors.with_current_version(selectors.sops_for_freelancer(freelancer)).order_by("title")
    sections = []
    for section in _HOME_SECTIONS.values():
        sections.append({"template": section.template, **section.context(request, freelancer)})
    context = {
        "freelancer": freelancer,
        "sections": sections,
        "to_acknowledge": to_acknowledge,
        "sops": sops,
        "statuses": statuses,
        "document_problems": [s for s in statuses if s.is_problem],
        **_pulse_context(request, freelancer),
    }
    return render_page(request, "portal/home.html", context)


@workspace_view(roles=[FREELANCER], objects={"pk": SOP})
def sop_read(request: WorkspaceRequest, pk: int) -> HttpResponse:
    freelancer = my_profile(request)
    sop = scoped_object(request, SOP, pk, selectors.with_current_version(scoped_queryset(request, SOP)))
    acknowledged = (
        sop.current_version is not None and sop.current_version.acknowledgements.filter(freelancer=freelancer).exists()
    )
    return render_page(request, "portal/sop_read.html", {"sop": sop, "acknowledged": acknowledged})


@workspace_view(roles=[FREELANCER], objects={"pk": SOP})
@require_POST
def sop_acknowledge(request: WorkspaceRequest, pk: int) -> HttpResponse:
    freelancer = my_profile(request)
    sop = scoped_object(request, SOP, pk, selectors.with_current_version(scoped_queryset(request, SOP)))
    try:
        services.acknowledge_sop(sop=sop, freelancer=freelancer, actor=request.user)
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages)) from None
    if getattr(request, "htmx", False):
        return render_page(request, "portal/sop_read.html", {"sop": sop, "acknowledged": True}, partial="ack")
    version = sop.current_version.number if sop.current_version else ""
    messages.success(request, f"Thank you — you acknowledged “{sop.title}” (version {version}).")
    return redirect("portal:home")


@workspace_view(roles=[FREELANCER])
@require_http_methods(["GET", "POST"])
def documents(request: WorkspaceRequest) -> HttpResponse:
    freelancer = my_profile(request)
    workspace = request.workspace
    today = server_today()
    form = DocumentUploadForm(request.POST or None, request.FILES or None, workspace=workspace)
    done = submit(
        request,
        form,
        lambda data: services.upload_document(
            freelancer=freelancer,
            document_type=data["document_type"],
            upload=data["file"],
            expires_on=data["expires_on"],
            actor=request.user,
            today=today,
        ),
    )
    if done:
        messages.success(request, f"Thank you — your {done.result.document_type.name} was received.")
        return redirect("portal:documents")
    statuses = selectors.document_statuses(Freelancer.objects.filter(pk=freelancer.pk), workspace, today).get(
        freelancer.pk, []
    )
    uploads = paginate(request, selectors.documents_of(freelancer))
    return render_page(
        request,
        "portal/documents.html",
        {"form": form, "statuses": statuses, "page": uploads, "freelancer": freelancer},
    )


@workspace_view(roles=[FREELANCER])
@require_http_methods(["GET", "POST"])
def pulse(request: WorkspaceRequest) -> HttpResponse:
    freelancer = my_profile(request)
    form = PulseForm(request.POST or None) if request.method == "POST" else None
    saved = False
    if form is not None and form.is_valid():
        try:
            services.answer_pulse(
                freelancer=freelancer,
                actor=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                today=server_today(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            saved = True
            form = None
            if not getattr(request, "htmx", False):
                messages.success(request, "Thank you — your answer for this month is saved.")
                return redirect("portal:home")
    context = {**_pulse_context(request, freelancer, form), "saved": saved}
    history = scoped_queryset(request, PulseResponse).filter(freelancer=freelancer).order_by("-month")[:12]
    return render_page(request, "portal/pulse.html", {**context, "history": history}, partial="pulse")
