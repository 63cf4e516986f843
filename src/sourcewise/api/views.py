from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.api import services
from sourcewise.api.models import ApiToken
from sourcewise.core.access import EVERYONE
from sourcewise.core.http import WorkspaceRequest
from sourcewise.workspaces.access import workspace_view


@workspace_view(roles=EVERYONE)
@require_http_methods(["GET", "POST"])
def token_list(request: WorkspaceRequest) -> HttpResponse:
    new_token = None
    error = None
    if request.method == "POST":
        try:
            _, new_token = services.create_token(
                user=request.user,
                workspace=request.workspace,
                name=request.POST.get("name", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    tokens = ApiToken.objects.filter(user=request.user, workspace=request.workspace)[:100]
    return render(request, "api/token_list.html", {"tokens": tokens, "new_token": new_token, "error": error})


@workspace_view(roles=EVERYONE, objects={"pk": ApiToken})
@require_POST
def token_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user, workspace=request.workspace).first()
    if token is None:
        raise Http404("No such token of yours.")
    services.revoke_token(token=token, actor=request.user)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("api_tokens:token_list")
