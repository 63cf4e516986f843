from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.accounts.forms import AccountFields
from sourcewise.accounts.services import register
from sourcewise.core.access import FREELANCER, INTERNAL, OWNER, login_view, public_view
from sourcewise.core.forms import apply_errors
from sourcewise.core.htmx import render_page
from sourcewise.core.http import SignedInRequest, WorkspaceRequest
from sourcewise.core.links import site_url
from sourcewise.core.pagination import paginate
from sourcewise.workspaces import services
from sourcewise.workspaces.access import workspace_view
from sourcewise.workspaces.forms import PROFILE_FIELDS, THRESHOLD_FIELDS, InviteForm, NewWorkspaceForm, WorkspaceForm
from sourcewise.workspaces.models import Membership
from sourcewise.workspaces.selectors import memberships_of


@login_view
def workspace_list(request: SignedInRequest) -> HttpResponse:
    return render(request, "workspaces/workspace_list.html", {"memberships": memberships_of(request.user)})


@login_view
@require_POST
def workspace_switch(request: SignedInRequest, workspace_id: int) -> HttpResponse:
    try:
        membership = services.switch_workspace(request, workspace_id)
    except ValidationError:
        raise Http404("No such workspace among yours.") from None
    messages.info(request, f"You are now working in {membership.workspace.name}.")
    return redirect("home")


@login_view
@require_http_methods(["GET", "POST"])
def workspace_create(request: SignedInRequest) -> HttpResponse:
    form = NewWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.create_workspace(
                owner=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            services.switch_workspace(request, workspace.pk)
            messages.success(request, f"{workspace.name} is ready.")
            return redirect("home")
    return render(request, "workspaces/workspace_create.html", {"form": form})


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceForm(request.POST or None, instance=copy.copy(workspace))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_workspace(
                workspace=workspace,
                actor=request.user,
                **{f: form.cleaned_data[f] for f in PROFILE_FIELDS + THRESHOLD_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Settings saved. Findings now use the new thresholds.")
            return redirect("workspaces:settings")
    return render(request, "workspaces/settings.html", {"form": form})


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def member_list(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    allowed = [OWNER, "manager", FREELANCER] if membership.is_owner else [FREELANCER]
    form = InviteForm(request.POST or None, allowed_roles=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            _, _link = services.invite(
                workspace=request.workspace,
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=site_url(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("workspaces:members")
    members = (
        Membership.objects.filter(workspace=request.workspace).select_related("user").order_by("role", "user__email")
    )
    invitations = services.pending_invitations(request.workspace).select_related("freelancer")
    return render_page(
        request,
        "workspaces/members.html",
        {
            "page": paginate(request, members),
            "invitations": invitations[:50],
            "form": form,
            "roles": Membership.Role.choices,
        },
    )


@workspace_view(roles=[OWNER], objects={"pk": Membership})
@require_POST
def member_change(request: WorkspaceRequest, pk: int) -> HttpResponse:
    target = Membership.objects.filter(workspace=request.workspace, pk=pk).select_related("user", "workspace").first()
    if target is None:
        raise Http404("No such member in this workspace.")
    try:
        if request.POST.get("action") == "remove":
            services.remove_member(membership=target, actor=request.user)
            messages.success(request, f"{target.user.email} was removed.")
        else:
            services.change_role(membership=target, role=request.POST.get("role", ""), actor=request.user)
            messages.success(request, f"{target.user.email} is now {target.role}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("workspaces:members")


@public_view
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "workspaces/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.accept_invitation(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                services.switch_workspace(request, membership.workspace_id)
                messages.success(request, f"Welcome to {membership.workspace.name}.")
                return redirect("home")
        return render(request, "workspaces/invitation.html", {"invitation": invitation})
    form = AccountFields(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["email"] != invitation.email:
            form.add_error("email", f"This invitation is for {invitation.email}.")
        else:
            user = register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
            membership = services.accept_invitation(invitation=invitation, user=user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.switch_workspace(request, membership.workspace_id)
            return redirect("home")
    return render(request, "workspaces/invitation.html", {"invitation": invitation, "form": form})
