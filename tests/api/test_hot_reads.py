"""The API's hot reads (SPEC P1, P7): prepared statements, the one-query token check, the header."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sourcewise.api.models import ApiToken
from sourcewise.api.prepared import MEMBER_MARKS, PreparedValues, placeholder_member
from sourcewise.api.rendered import day, day_text, moment, moment_text, money_text
from sourcewise.api.services import membership_for_token, revoke_token
from sourcewise.engagements.models import Engagement
from sourcewise.talent.models import Freelancer
from tests.conftest import token_for
from tests.engagements.factories import EngagementFactory
from tests.workspaces.factories import MembershipFactory

FIELDS = ("id", "state", "rate", "budget_cap", "start_date", "activated_at", "freelancer__name", "manager__user__email")
PAGE = PreparedValues(
    lambda role, marks: (
        Engagement.objects.for_member(placeholder_member(str(role), marks))
        .filter(pk__gt=marks["after"])
        .order_by("pk")
        .values(*FIELDS)
    ),
    marks={**MEMBER_MARKS, "after": -1_000_001},
)


def _page(membership, after=0, limit=None):
    values = {"workspace": membership.workspace_id, "user": membership.user_id, "after": after}
    return PAGE.rows(membership.role, values, limit=limit)


def _queryset(membership, after=0):
    return list(Engagement.objects.for_member(membership).filter(pk__gt=after).order_by("pk").values(*FIELDS))


def test_prepared_rows_are_the_querysets_values_for_every_role(workspace, owner, manager, freelancer_member):
    freelancer = Freelancer.objects.get(user=freelancer_member.user)
    EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, rate=Decimal("12.30"),
                      activated_at=timezone.now(), budget_cap=Decimal("40"))  # fmt: skip
    for _ in range(4):
        EngagementFactory(workspace=workspace, manager=manager, rate=Decimal("99.99"))
    EngagementFactory()  # another workspace
    for member in (owner, manager, freelancer_member):
        assert _page(member) == _queryset(member), member.role
    assert len(_page(owner)) == 5 and len(_page(freelancer_member)) == 1
    rows = _page(owner)
    assert _page(owner, after=rows[1]["id"], limit=2) == _queryset(owner, after=rows[1]["id"])[:2]
    # Converted as the ORM converts: Decimal, date and aware datetime, not the database's text.
    mine = _page(freelancer_member)[0]
    assert mine["rate"] == Decimal("12.30") and isinstance(mine["start_date"], datetime.date)
    assert mine["activated_at"].tzinfo is not None


def test_prepared_rows_never_show_another_workspace(workspace, owner):
    EngagementFactory(workspace=workspace)
    stranger = EngagementFactory()  # its workspace has its own owner
    other_owner = MembershipFactory(workspace=stranger.workspace, role="owner")
    assert [row["id"] for row in _page(owner)] != [stranger.pk]
    assert [row["id"] for row in _page(other_owner)] == [stranger.pk]
    assert stranger.pk not in {row["id"] for row in _page(owner)}


RAW_PAGE = PreparedValues(PAGE._build, marks={**MEMBER_MARKS, "after": -1_000_001}, converted=False)


@pytest.mark.parametrize("rate", ["0.00", "0.05", "12.30", "12.35", "2.67", "99999999.99"])
@pytest.mark.parametrize("microsecond", [0, 1, 999, 181047, 999999])
def test_unconverted_rows_write_the_same_text_as_converted_ones(workspace, owner, rate, microsecond):
    """The engagements API reads the driver's values (converted=False) and writes them with
    the *_text helpers: the same JSON text as the ORM's Decimal, date and aware datetime."""
    at = datetime.datetime(2026, 3, 29, 1, 30, 5, microsecond, tzinfo=datetime.UTC)
    EngagementFactory(workspace=workspace, rate=Decimal(rate), budget_cap=None, activated_at=at)
    EngagementFactory(workspace=workspace, rate=Decimal(rate), budget_cap=Decimal("7.50"), activated_at=None)
    values = {"workspace": owner.workspace_id, "user": owner.user_id, "after": 0}
    raw = RAW_PAGE.tuples(owner.role, values)
    converted = PAGE.rows(owner.role, values)
    assert len(raw) == len(converted) == 2
    for row, orm in zip(raw, converted, strict=True):
        mine = dict(zip(FIELDS, row, strict=True))
        assert money_text(mine["rate"]) == str(orm["rate"]) == rate
        assert money_text(mine["budget_cap"]) == (None if orm["budget_cap"] is None else str(orm["budget_cap"]))
        assert day_text(mine["start_date"]) == day(orm["start_date"])
        assert moment_text(mine["activated_at"]) == moment(orm["activated_at"])
    assert moment_text(raw[0][FIELDS.index("activated_at")]) == moment(at)


@given(
    st.datetimes(min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.sampled_from([None, datetime.UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]),
)
def test_moment_text_is_moment_in_utc(naive, zone):
    aware = naive.replace(tzinfo=datetime.UTC) if zone is None else naive.replace(tzinfo=zone)
    expected = moment(aware.astimezone(datetime.UTC))
    value = naive if zone is None else aware  # SQLite's driver: naive UTC; PostgreSQL's: aware
    assert moment_text(value) == expected
    if zone is None:
        assert moment_text(str(naive)) == expected  # text left by another writer


@given(st.decimals(min_value=-(10**10) + 1, max_value=10**10 - 1, places=2, allow_nan=False))
def test_money_text_of_a_stored_decimal_is_its_text(value):
    text = str(value.quantize(Decimal("0.01")))
    assert money_text(value) == text  # PostgreSQL: a Decimal
    assert money_text(float(value)) == text  # SQLite: the float its numeric affinity kept
    assert money_text(str(value)) == text  # SQLite: text it could not hold as a float
    assert money_text(None) is None and day_text(None) is None and moment_text(None) is None


def test_a_prepared_statement_is_compiled_once_and_run_as_one_query(workspace, owner):
    EngagementFactory(workspace=workspace)
    _page(owner)
    with CaptureQueriesContext(connection) as queries:
        _page(owner, limit=10)
        _page(owner, after=5)
    assert len(queries) == 2


def test_a_slice_belongs_in_rows_not_in_the_queryset(owner):
    sliced = PreparedValues(lambda key, marks: Engagement.objects.values("id")[:5], marks={})
    with pytest.raises(ValueError, match="slice"):
        sliced.rows("any", {})


# -- the token check ---------------------------------------------------------------------------


def test_the_token_check_is_one_query_and_loads_member_user_and_workspace(owner):
    raw = token_for(owner)
    membership_for_token(raw)  # stamps the last use (a write, once a minute)
    with CaptureQueriesContext(connection) as queries:
        found = membership_for_token(raw)
        assert (found.pk, found.role, found.user.email, found.workspace.name) == (
            owner.pk, owner.role, owner.user.email, owner.workspace.name,
        )  # fmt: skip
        assert found.workspace.base_currency == owner.workspace.base_currency
    assert len(queries) == 1


@pytest.mark.parametrize("spoil", ["revoked", "inactive", "restoring", "removed", "wrong secret", "other workspace"])
def test_the_token_check_refuses(spoil, owner):
    raw = token_for(owner)
    token = ApiToken.objects.get(user=owner.user)
    if spoil == "revoked":
        revoke_token(token=token, actor=owner.user)
    elif spoil == "inactive":
        type(owner.user).objects.filter(pk=owner.user.pk).update(is_active=False)
    elif spoil == "restoring":
        type(owner.workspace).objects.filter(pk=owner.workspace.pk).update(restoring=True)
    elif spoil == "removed":
        type(owner).objects.filter(pk=owner.pk).delete()
    elif spoil == "wrong secret":
        raw = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    elif spoil == "other workspace":  # the same person's membership elsewhere never stands in
        elsewhere = MembershipFactory(user=owner.user, role="owner")
        type(owner).objects.filter(pk=owner.pk).delete()
        assert elsewhere.workspace_id != token.workspace_id
    assert membership_for_token(raw) is None


def test_the_token_check_stamps_the_last_use_once_a_minute(owner):
    raw = token_for(owner)
    membership_for_token(raw)
    first = ApiToken.objects.get(user=owner.user).last_used_at
    assert first is not None
    membership_for_token(raw)
    assert ApiToken.objects.get(user=owner.user).last_used_at == first
    ApiToken.objects.filter(user=owner.user).update(last_used_at=first - datetime.timedelta(minutes=2))
    membership_for_token(raw)
    assert ApiToken.objects.get(user=owner.user).last_used_at > first - datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("header", "status"),
    [("Bearer {t}", 200), ("bearer {t}", 200), ("Basic {t}", 401), ("Bearer", 401), ("", 401), ("{t}", 401)],
)
def test_the_authorization_header(client, owner, header, status):
    raw = token_for(owner)
    headers = {"Authorization": header.format(t=raw)} if header else {}
    response = client.get("/api/v1/engagements", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json()["code"] == "unauthenticated"


def test_the_hot_statements_are_prepared_on_postgresql(owner):
    """PostgreSQL plans the token check once per connection, not on every request (api.prepared,
    DB_PREPARED_STATEMENTS): after a few runs it is among the connection's prepared statements."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (SQLite keeps its own statement cache)")
    raw = token_for(owner)
    for _ in range(7):
        assert membership_for_token(raw).pk == owner.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%api_apitoken%"])
        assert cursor.fetchone()[0] >= 1
