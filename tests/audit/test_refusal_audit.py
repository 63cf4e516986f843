"""Every refused cross-workspace access writes an audit row (SPEC §7), on pages and in the API.

The row names the person, the workspace they act in, what they asked for (path, method,
kind and id of the row) and their address; it goes to the actor's own workspace and reads
the same whether the id belongs to another customer or to nobody — no existence oracle.
`tests/test_authorization.py` checks the same on every route with an id.
"""

from __future__ import annotations

import pytest

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import MANAGER, OWNER
from tests.conftest import api_headers, client_for
from tests.costs.helpers import active_engagement
from tests.engagements.factories import MilestoneFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import TaskFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

MISSING = 10**9


@pytest.fixture
def theirs(db):
    """Another customer's workspace and a few of its rows."""
    workspace = WorkspaceFactory()
    engagement = active_engagement(workspace)
    return {
        "workspace": workspace,
        "engagement": engagement,
        "task": TaskFactory(workspace=workspace),
        "freelancer": FreelancerFactory(workspace=workspace),
        "milestone": MilestoneFactory(engagement=engagement),
    }


def _denials(**filters):
    return list(AuditEvent.objects.filter(action="permission.denied", **filters).order_by("id"))


WEB = [
    ("engagement", "GET", "/engagements/{}/", "engagements.engagement"),
    ("engagement", "POST", "/engagements/{}/activate/", "engagements.engagement"),
    ("task", "GET", "/tasks/{}/", "tasks.task"),
    ("freelancer", "GET", "/talent/freelancers/{}/", "talent.freelancer"),
    ("milestone", "POST", "/engagements/milestones/{}/review/", "engagements.milestone"),
]
API = [
    ("engagement", "GET", "/api/v1/engagements/{}", "engagements.engagement"),
    ("engagement", "POST", "/api/v1/engagements/{}/cancel", "engagements.engagement"),
    ("task", "GET", "/api/v1/tasks/{}", "tasks.task"),
    ("milestone", "POST", "/api/v1/milestones/{}/review", "engagements.milestone"),
]


@pytest.mark.parametrize(("kind", "method", "path", "label"), WEB, ids=[w[2] for w in WEB])
def test_a_page_asked_for_another_workspaces_id_is_audited(kind, method, path, label, workspace, theirs):
    me = MembershipFactory(workspace=workspace, role=OWNER)
    client = client_for(me)
    for pk in (theirs[kind].pk, MISSING):
        url = path.format(pk)
        response = client.generic(method, url, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 404, (url, response.status_code)
        row = _denials()[-1]
        assert (row.actor_id, row.workspace_id, row.ip_address) == (me.user_id, workspace.pk, "203.0.113.7")
        assert row.changes == {
            "path": url,
            "method": method,
            "reason": row.changes["reason"],
            "status": 404,
            "model": label,
            "id": str(pk),
        }
    assert len(_denials()) == 2
    assert _denials(workspace=theirs["workspace"]) == []  # nothing is written into the victim's log


@pytest.mark.parametrize(("kind", "method", "path", "label"), API, ids=[a[2] for a in API])
def test_an_api_call_with_another_workspaces_id_is_audited(kind, method, path, label, client, workspace, theirs):
    me = MembershipFactory(workspace=workspace, role=OWNER)
    headers = api_headers(me)
    rows = []
    for pk in (theirs[kind].pk, MISSING):
        url = path.format(pk)
        response = client.generic(method, url, data="{}", content_type="application/json", headers=headers)
        assert response.status_code in (404, 422), (url, response.content)
        if response.status_code == 422:  # the body was refused before any id was looked up
            continue
        row = _denials()[-1]
        assert (row.actor_id, row.workspace_id, row.changes["path"]) == (me.user_id, workspace.pk, url)
        assert (row.changes["model"], row.changes["id"], row.changes["status"]) == (label, str(pk), 404)
        rows.append(row)
    # Another customer's id and no id at all read the same in the log (only the id differs).
    if len(rows) == 2:
        same = [{k: v for k, v in r.changes.items() if k not in ("id", "path")} for r in rows]
        assert same[0] == same[1]


def test_a_service_refusal_is_audited_once(client, workspace):
    """A 403 raised inside a service (not the route's role check) is audited too — once."""
    manager = MembershipFactory(workspace=workspace, role=MANAGER)
    engagement = active_engagement(workspace)  # managed by somebody else
    response = client.post(f"/api/v1/engagements/{engagement.pk}/cancel", {}, content_type="application/json",
                           headers=api_headers(manager))  # fmt: skip
    assert response.status_code == 403
    assert [r.changes["status"] for r in _denials()] == [403]
    page = client_for(manager).post(f"/engagements/{engagement.pk}/cancel/")
    assert page.status_code == 403
    assert len(_denials()) == 2


def test_a_role_refusal_is_not_written_twice(client, workspace):
    freelancer = MembershipFactory(workspace=workspace, role="freelancer")
    assert client.get("/api/v1/handovers", headers=api_headers(freelancer)).status_code == 403
    assert client_for(freelancer).get("/engagements/offboarding/").status_code == 403
    assert len(_denials()) == 2


def test_anonymous_requests_are_not_audited_here(client, theirs):
    assert client.get(f"/api/v1/engagements/{theirs['engagement'].pk}").status_code == 401
    assert client.get(f"/engagements/{theirs['engagement'].pk}/").status_code == 302
    assert _denials() == []


def test_a_refusal_costs_one_insert(client, workspace, theirs, django_assert_max_num_queries):
    me = MembershipFactory(workspace=workspace, role=OWNER)
    headers = api_headers(me)
    client.get("/api/v1/engagements/1", headers=headers)  # warm the token's last-used stamp
    with django_assert_max_num_queries(4):  # token + membership, the scoped lookup, the audit row
        response = client.get(f"/api/v1/engagements/{theirs['engagement'].pk}", headers=headers)
    assert response.status_code == 404
