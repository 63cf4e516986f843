"""Whether a workspace has outsourced work to score at all.

What counts as outsourced work is the domain's to say (`Domain.outsourced_work`, from
`engagements.findings_hooks`); it is answered by one query on the workspace row with an
EXISTS, so it costs the same on an empty workspace as on a busy one.
"""

from __future__ import annotations

from django.db.models import Q

from sourcewise.findings.registry import domain
from sourcewise.workspaces.models import Workspace


def has_outsourced_work(workspace: Workspace) -> bool:
    """Whether the workspace has anything a health score could judge (one query)."""
    return Workspace.objects.filter(Q(pk=workspace.pk) & domain().outsourced_work(workspace.pk)).exists()
