from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from sourcewise.backups.catalog import backup_models
from sourcewise.backups.forms import RestoreForm
from sourcewise.backups.services import BackupError, export_workspace, restore_backup
from sourcewise.core.access import OWNER, workspace_view
from sourcewise.workspaces.services import switch_workspace


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def backup_page(request: HttpRequest) -> HttpResponse:
    form = RestoreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = restore_backup(
                form.cleaned_data["file"], actor=request.user, name=form.cleaned_data["name"] or None
            )
        except BackupError as exc:
            form.add_error("file", f"Nothing was restored: {exc}")
        else:
            switch_workspace(request, result.workspace.pk)
            messages.success(request, f"{result.summary()} You are now working in it.")
            return redirect("home")
    tables = sorted({str(spec.model._meta.verbose_name_plural) for spec in backup_models()})
    return render(request, "backups/backup.html", {"form": form, "tables": tables})


@workspace_view(roles=[OWNER])
@require_GET
def backup_download(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    document = export_workspace(workspace, actor=request.user)
    filename = f"sourcewise-{slugify(workspace.name) or 'workspace'}-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
