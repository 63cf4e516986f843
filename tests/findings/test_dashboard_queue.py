"""The dashboard as a work queue, read from the stored findings: fix first, by code, a
filterable keyset list, accepted and coming up — in a bounded number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sourcewise.findings import engine, refresh
from sourcewise.findings.links import subject_url
from sourcewise.findings.models import FindingRecord
from tests.findings.stored import finding

pytestmark = pytest.mark.django_db


def _ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-finding="(\d+)"', html)]


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _record(workspace, code, subject_id) -> FindingRecord:
    return FindingRecord.objects.get(workspace=workspace, code=code, subject_id=subject_id)


def test_the_dashboard_never_runs_the_rules(owner_client, stored, monkeypatch):
    stored.set(finding("NO_SOP", "warning", subject_id=7, message="Bookkeeping has no SOP."))
    owner_client.get("/dashboard/")  # every module is imported before the patch below

    def forbidden(*args, **kwargs):
        raise AssertionError("the dashboard ran the rules")

    monkeypatch.setattr(engine, "evaluate", forbidden)
    monkeypatch.setattr(refresh, "run_checks", forbidden)  # nothing was written: not even a scoped refresh
    body = owner_client.get("/dashboard/").content.decode()
    assert "Bookkeeping has no SOP." in body
    assert 'data-testid="health-score">95<' in body


def test_fix_first_is_the_five_that_gain_most_critical_first_then_oldest(owner_client, workspace, stored):
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=20), tick=False):
        stored.set(finding("NO_SOP", "warning", subject_id=1), finding("NO_SOP", "info", subject_id=2))
    with time_machine.travel(start - datetime.timedelta(days=10), tick=False):
        stored.add(finding("NO_MANAGER", "critical", "engagement", 3))
    stored.add(
        finding("NO_MANAGER", "critical", "engagement", 4),
        finding("NO_SOP", "warning", subject_id=5),
        finding("NO_SOP", "warning", subject_id=6),
        finding("NO_SOP", "info", subject_id=8),
    )
    body = owner_client.get("/dashboard/").content.decode()
    top = _ids_in(_section(body, "fix-first"))
    expected = [
        _record(workspace, "NO_MANAGER", 3),  # critical, the older one
        _record(workspace, "NO_MANAGER", 4),
        _record(workspace, "NO_SOP", 1),  # warning, oldest
    ]
    assert top[:3] == [r.pk for r in expected]
    assert len(top) == 5
    assert {r.severity for r in FindingRecord.objects.filter(pk__in=top[3:])} == {"warning"}
    assert 'data-testid="health-score">53<' in body  # 100 − 2×15 − 3×5 − 2×1


def test_each_finding_links_to_its_subject(owner_client, workspace, stored):
    stored.set(
        finding("NO_MANAGER", "critical", "engagement", 11),
        finding("WEAK_REFERENCES", "warning", "freelancer", 12),
        finding("NO_SOP", "warning", "task", 13),
        finding("SOP_NOT_ACKNOWLEDGED", "warning", "sop", 14),
        finding("MANAGER_OVERLOADED", "warning", "membership", 15),
        finding("MANAGER_UNTRAINED", "warning", "membership", 16),
        finding("HIGH_CONCENTRATION", "warning", "workspace", workspace.pk),
        finding("OUTSOURCING_EVERYTHING", "warning", "workspace", workspace.pk),
    )
    expected = {
        ("NO_MANAGER", 11): "/engagements/11/",
        ("WEAK_REFERENCES", 12): reverse("talent:freelancer_detail", kwargs={"pk": 12}),
        ("NO_SOP", 13): "/tasks/13/",
        ("SOP_NOT_ACKNOWLEDGED", 14): reverse("guidance:sop_detail", kwargs={"pk": 14}),
        ("MANAGER_OVERLOADED", 15): reverse("engagements:manager_detail", kwargs={"pk": 15}),
        ("MANAGER_UNTRAINED", 16): reverse("guidance:member_training", kwargs={"pk": 16}),  # where its fix is
        ("HIGH_CONCENTRATION", workspace.pk): reverse("costs:dashboard"),
        ("OUTSOURCING_EVERYTHING", workspace.pk): reverse("tasks:outsourcing_map"),
    }
    body = owner_client.get("/dashboard/").content.decode()
    for (code, subject_id), url in expected.items():
        record = _record(workspace, code, subject_id)
        assert subject_url(record) == url
        article = body.split(f'data-finding="{record.pk}"')[1].split("</article>")[0]
        assert f'<a class="subject" href="{url}">' in article


def test_criticals_never_sit_below_warnings_in_the_list(owner_client, stored):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30), tick=False):
        stored.set(*(finding("NO_SOP", "warning", subject_id=i) for i in range(1, 4)))
    stored.add(finding("NO_MANAGER", "critical", "engagement", 9))  # the newest, still first
    body = owner_client.get("/dashboard/").content.decode()
    listed = _ids_in(body.split('id="queue"')[1].split('id="accepted"')[0])
    ranks = [FindingRecord.objects.get(pk=pk).severity_rank for pk in listed]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_findings_grouped_by_code_with_title_severity_and_count(owner_client, stored):
    stored.set(
        finding("NO_SOP", "warning", subject_id=1),
        finding("NO_SOP", "warning", subject_id=2),
        finding("HIGH_CONCENTRATION", "info", "workspace", 1),
        finding("NO_MANAGER", "critical", "engagement", 3),
    )
    body = owner_client.get("/dashboard/").content.decode()
    groups = _section(body, "by-code")
    assert re.findall(r'data-group="(\w+)"', groups) == ["NO_MANAGER", "NO_SOP", "HIGH_CONCENTRATION"]
    no_sop = groups.split('data-group="NO_SOP"')[1].split("</details>")[0]
    assert "Outsourced task without an SOP" in no_sop and "sev-warning" in no_sop and "× 2" in no_sop
    assert "<details open" not in groups  # collapsed


def test_the_list_filters_by_guardrail_severity_subject_and_age_with_htmx(owner_client, stored, workspace):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        stored.set(finding("NO_SOP", "warning", subject_id=1))
    stored.add(
        finding("NO_MANAGER", "critical", "engagement", 2),
        finding("WEAK_REFERENCES", "info", "freelancer", 3),
    )
    old, critical, weak = (
        _record(workspace, c, i) for c, i in (("NO_SOP", 1), ("NO_MANAGER", 2), ("WEAK_REFERENCES", 3))
    )
    htmx = {"HX-Request": "true"}
    cases = {
        "guardrail=G2": [critical.pk],
        "severity=info": [weak.pk],
        "subject_type=freelancer": [weak.pk],
        "age=30": [old.pk],
        "age=7&severity=critical": [],
        "code=NO_SOP": [old.pk],
        "severity=bogus": [critical.pk, old.pk, weak.pk],  # an unknown value means "any", never an error
    }
    for query, expected in cases.items():
        response = owner_client.get(f"/dashboard/?{query}", headers=htmx)
        body = response.content.decode()
        assert response.status_code == 200 and "<html" not in body, query
        assert _ids_in(body) == expected, query
    assert (
        "No finding matches these filters."
        in owner_client.get("/dashboard/?age=7&severity=critical", headers=htmx).content.decode()
    )


def test_the_list_pages_with_a_cursor_and_covers_every_finding_once(owner_client, stored):
    stored.set(*(finding("NO_SOP", "warning" if i % 3 else "critical", subject_id=i) for i in range(1, 61)))
    seen: list[int] = []
    url = "/dashboard/?severity="
    pages = 0
    while url:
        body = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
        seen += _ids_in(body)
        pages += 1
        match = re.search(r'rel="next" href="\?([^"#]*)#list"', body)
        url = "/dashboard/?" + match.group(1).replace("&amp;", "&") if match else ""
    assert pages == 3
    assert sorted(seen) == sorted(FindingRecord.objects.values_list("pk", flat=True)) and len(set(seen)) == 60
    ranks = [FindingRecord.objects.get(pk=pk).severity_rank for pk in seen]
    assert ranks == sorted(ranks)


def test_a_bad_cursor_shows_the_first_page(owner_client, stored):
    stored.set(finding("NO_SOP", "warning", subject_id=1))
    for cursor in ("nonsense", "ZjEu", "%00", "ZjEuMC4wLjA"):
        response = owner_client.get(f"/dashboard/?cursor={cursor}")
        assert response.status_code == 200 and len(_ids_in(_section(response.content.decode(), "fix-first"))) == 1


def test_accepted_and_coming_up_have_their_own_sections(owner_client, owner, workspace, stored):
    from sourcewise.findings.acceptance import finding_accept

    today = workspace.today()
    stored.set(
        finding("NO_SOP", "warning", subject_id=1),
        finding("DOCUMENT_MISSING", "warning", "freelancer", 2, starts_on=today + datetime.timedelta(days=5)),
    )
    record = _record(workspace, "NO_SOP", 1)
    finding_accept(
        finding=record, membership=owner, reason="Our agency does it", review_on=today + datetime.timedelta(days=30)
    )
    body = owner_client.get("/dashboard/").content.decode()
    accepted = _section(body, "accepted")
    assert f'data-finding="{record.pk}"' in accepted and "Our agency does it" in accepted
    coming = _section(body, "coming-up")
    assert f'data-finding="{_record(workspace, "DOCUMENT_MISSING", 2).pk}"' in coming
    assert "Counts from" in coming
    assert 'data-testid="health-score">100<' in body  # neither counts
    assert _ids_in(body.split('id="queue"')[1].split('id="accepted"')[0]) == []


@pytest.mark.parametrize("size", [30, 400])
def test_the_dashboard_reads_in_at_most_15_queries_whatever_the_size(
    owner_client, owner, workspace, stored, size, django_assert_max_num_queries, monkeypatch
):
    from sourcewise.findings.acceptance import finding_accept
    from sourcewise.tasks.models import Task
    from tests.tasks.factories import TaskFactory

    monkeypatch.undo()  # the real "is there outsourced work?" query counts too
    TaskFactory(workspace=workspace, sourcing=Task.Sourcing.OUTSOURCE)
    today = workspace.today()
    codes = ["NO_SOP", "NO_MANAGER", "WEAK_REFERENCES", "NO_BACKUP"]
    stored.set(
        *(finding(codes[i % 4], ("critical", "warning", "info")[i % 3], "task", i) for i in range(size)),
        *(
            finding("DOCUMENT_MISSING", "info", "freelancer", i, starts_on=today + datetime.timedelta(days=3))
            for i in range(20)
        ),
    )
    for record in FindingRecord.objects.filter(workspace=workspace, severity="warning")[:15]:
        finding_accept(finding=record, membership=owner, reason="ok", review_on=today + datetime.timedelta(days=9))
    owner_client.get("/dashboard/")  # the session's first request does its one-off work
    with django_assert_max_num_queries(15):
        response = owner_client.get("/dashboard/")
    assert response.status_code == 200 and 'data-testid="health-score">' in response.content.decode()
    assert len(_ids_in(_section(response.content.decode(), "accepted"))) == 10
    with django_assert_max_num_queries(15):
        assert owner_client.get("/dashboard/?severity=critical&cursor=").status_code == 200
    with django_assert_max_num_queries(15):
        assert owner_client.get("/dashboard/?severity=warning&age=7", headers={"HX-Request": "true"}).status_code == 200
