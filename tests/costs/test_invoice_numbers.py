"""Invoice numbers count per workspace, and two simultaneous "create" give one invoice and a 409."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.test import Client

from sourcewise.core.access import OWNER
from sourcewise.costs import invoicing
from sourcewise.costs.models import Invoice
from tests.concurrency import pause, race
from tests.conftest import api_headers
from tests.costs.helpers import D, active_engagement
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

MARCH = datetime.date(2026, 3, 1)


def _invoice(workspace, engagement, month=MARCH) -> Invoice:
    return invoicing.create_invoice(
        workspace=workspace, actor=None, engagement=engagement, month=month, extra_amount=D("100")
    )


def test_numbers_count_the_workspaces_own_invoices(db):
    busy, quiet = WorkspaceFactory(), WorkspaceFactory()
    engagement = active_engagement(busy)
    for month in range(1, 6):
        _invoice(busy, engagement, datetime.date(2026, month, 1))

    first = _invoice(quiet, active_engagement(quiet))

    assert first.sequence == 1 and first.number == "202603-00001"
    assert sorted(Invoice.objects.filter(workspace=busy).values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    assert first.pk > 5  # the id still counts the whole instance; the number does not show it


def test_the_number_is_shown_over_the_api(client, workspace):
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    other = WorkspaceFactory()  # other customers' invoices must not show in this one's numbers
    _invoice(other, active_engagement(other))
    engagement = active_engagement(workspace)
    body = {"engagement_id": engagement.pk, "month": "2026-03", "extra_amount": "50"}
    created = client.post("/api/v1/invoices", body, content_type="application/json", headers=api_headers(owner))
    assert created.status_code == 201 and created.json()["number"] == "202603-00001"
    again = client.post("/api/v1/invoices", body, content_type="application/json", headers=api_headers(owner))
    assert again.status_code == 409 and again.json()["code"] == "duplicate"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creations_give_one_invoice_and_a_409():
    workspace = WorkspaceFactory()
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    engagement = active_engagement(workspace)
    headers = [api_headers(owner), api_headers(owner)]
    body = {"engagement_id": engagement.pk, "month": "2026-03", "extra_amount": "100"}
    real_clean = Invoice.full_clean
    hook = pause(2)

    def full_clean(self, *args, **kwargs):
        real_clean(self, *args, **kwargs)
        hook()  # both past validation at once: the old code then hit the unique constraint (500)

    def post(i):
        return Client().post("/api/v1/invoices", body, content_type="application/json", headers=headers[i])

    with mock.patch.object(Invoice, "full_clean", full_clean):
        outcomes = race(lambda: post(0), lambda: post(1))

    assert all(o.error is None for o in outcomes), outcomes
    statuses = sorted(o.value.status_code for o in outcomes)
    assert statuses == [201, 409], [o.value.content for o in outcomes]
    refused = next(o.value for o in outcomes if o.value.status_code == 409).json()
    assert refused["code"] == "duplicate" and "already has an invoice for this month" in refused["message"]
    assert Invoice.objects.filter(engagement=engagement).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_invoices_of_one_workspace_get_distinct_numbers():
    workspace = WorkspaceFactory()
    first, second = active_engagement(workspace), active_engagement(workspace)
    real_clean = Invoice.full_clean
    hook = pause(2)

    def full_clean(self, *args, **kwargs):
        real_clean(self, *args, **kwargs)
        hook()

    with mock.patch.object(Invoice, "full_clean", full_clean):
        outcomes = race(lambda: _invoice(workspace, first), lambda: _invoice(workspace, second))

    assert all(o.error is None for o in outcomes), outcomes
    assert sorted(Invoice.objects.filter(workspace=workspace).values_list("sequence", flat=True)) == [1, 2]


def test_the_migration_numbers_existing_invoices_per_workspace(db):
    """Invoices made before the numbering get 1, 2, 3, … per workspace, in the order they were made."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("sourcewise.costs.migrations.0002_invoice_number_per_workspace")
    a, b = WorkspaceFactory(), WorkspaceFactory()
    ea, eb = active_engagement(a), active_engagement(b)
    made = [_invoice(a, ea, MARCH), _invoice(b, eb, MARCH), _invoice(a, ea, datetime.date(2026, 4, 1))]
    Invoice.objects.update(sequence=None)  # as they were before the migration

    migration.number_existing_invoices(apps, None)

    assert [Invoice.objects.get(pk=i.pk).sequence for i in made] == [1, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creations_on_the_web_give_one_invoice_and_a_clear_message():
    workspace = WorkspaceFactory()
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    engagement = active_engagement(workspace)
    form = {"engagement": engagement.pk, "month": "2026-03", "extra_description": "Retainer", "extra_amount": "100"}
    real_clean = Invoice.full_clean
    hook = pause(2)

    def full_clean(self, *args, **kwargs):
        real_clean(self, *args, **kwargs)
        hook()

    def post():
        client = Client()
        client.force_login(owner.user, backend="django.contrib.auth.backends.ModelBackend")
        return client.post("/costs/invoices/new/", form)

    with mock.patch.object(Invoice, "full_clean", full_clean):
        outcomes = race(post, post)

    assert all(o.error is None for o in outcomes), outcomes
    assert sorted(o.value.status_code for o in outcomes) == [200, 302]
    page = next(o.value for o in outcomes if o.value.status_code == 200).content.decode()
    assert "already has an invoice for this month" in page
    assert Invoice.objects.filter(engagement=engagement).count() == 1
