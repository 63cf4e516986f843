from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from sourcewise.backups.export import export_workspace
from sourcewise.backups.forms import RestoreForm
from sourcewise.backups.jobs import RESTORE
from sourcewise.backups.tables import backup_models
from sourcewise.core.access import OWNER
from sourcewise.core.dates import server_today
from sourcewise.core.http import WorkspaceRequest
from sourcewise.jobs.services import save_upload, start_job
from sourcewise.workspaces.access import workspace_view
from sourcewise.workspaces.services import switch_workspace


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def backup_page(request: WorkspaceRequest) -> HttpResponse:
    form = RestoreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # The file was read as JSON by the form; the restore itself runs as a background job
        # (a large restore takes longer than a request may), and this page follows it.
        upload = request.FILES.getlist("file")[0]
        # Keep working in this workspace (where the job is) even though a new one is on its way.
        switch_workspace(request, request.workspace.pk)
        path = save_upload(upload.chunks(), suffix=".json")
        job = start_job(
            workspace=request.workspace,
            actor=request.user,
            kind=RESTORE,
            title=f"Restore of {upload.name}",
            params={"name": form.cleaned_data["name"], "back_url": reverse("backups:backup"), "back_label": "Backup"},
            temp_path=path,
        )
        return redirect("jobs:progress", pk=job.pk)
    tables = sorted({str(spec.model._meta.verbose_name_plural) for spec in backup_models()})
    return render(request, "backups/backup.html", {"form": form, "tables": tables})


@workspace_view(roles=[OWNER])
@require_GET
def backup_download(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    document = export_workspace(workspace, actor=request.user)
    filename = f"sourcewise-{slugify(workspace.name) or 'workspace'}-{server_today():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
