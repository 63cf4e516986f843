"""The top menu offers each role exactly the pages its views let in, in at most seven entries."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse

from sourcewise.core.access import FREELANCER, LOGIN, MANAGER, OWNER, WORKSPACE, access_of
from sourcewise.core.navigation import ACCOUNT_MENU, FREELANCER_MENU, INTERNAL_MENU, MAX_TOP_ENTRIES, menu_for


def _urls(groups, account) -> list[str]:
    return [e.url for g in groups for e in g.entries] + [e.url for e in account]


@pytest.mark.parametrize("role", [OWNER, MANAGER, FREELANCER])
def test_every_entry_opens_for_the_role_and_the_menu_is_short(role):
    groups, account = menu_for(role, "/")
    assert len(groups) + 1 <= MAX_TOP_ENTRIES  # the groups and the account dropdown
    for url in _urls(groups, account):
        access = access_of(resolve(url).func)
        assert access.kind == LOGIN or role in access.roles, url


@pytest.mark.parametrize("role", [OWNER, MANAGER, FREELANCER])
def test_every_page_the_role_may_open_from_the_menu_sources_is_offered(role):
    source = FREELANCER_MENU if role == FREELANCER else INTERNAL_MENU
    groups, account = menu_for(role, "/")
    offered = set(_urls(groups, account))
    for _, items in source:
        for _, name in items:
            url = reverse(name)
            access = access_of(resolve(url).func)
            if access.kind != WORKSPACE or role in access.roles:
                assert url in offered, name
    for _, name in ACCOUNT_MENU:
        assert reverse(name) in offered


def test_a_manager_is_not_offered_the_owner_only_pages():
    owner = set(_urls(*menu_for(OWNER, "/")))
    manager = set(_urls(*menu_for(MANAGER, "/")))
    owner_only = {"/workspaces/settings/", "/audit/", "/backup/"}
    assert owner_only <= owner
    assert not owner_only & manager
    assert "/workspaces/members/" in manager


def test_a_freelancer_sees_only_the_portal_and_their_own_work():
    urls = _urls(*menu_for(FREELANCER, "/"))
    assert "/portal/" in urls
    assert not [u for u in urls if re.match(r"/(dashboard|tasks|talent|guidance|money|audit|backup)/", u)]


def test_the_page_and_its_group_are_marked_current():
    groups, account = menu_for(OWNER, "/tasks/12/edit/")
    current = [(g.label, e.label) for g in groups for e in g.entries if e.current]
    assert current == [("Work", "Tasks")]
    assert [g.label for g in groups if g.current] == ["Work"]
    assert not any(e.current for e in account)
    # The longest matching entry wins: the ledger, not the costs dashboard.
    groups, _ = menu_for(OWNER, "/costs/entries/")
    assert [e.label for g in groups for e in g.entries if e.current] == ["Ledger"]


def test_a_signed_in_person_without_a_workspace_gets_only_the_switcher():
    groups, account = menu_for(None, "/workspaces/")
    assert groups == []
    assert [(e.label, e.url, e.current) for e in account] == [("Switch workspace", "/workspaces/", True)]


def test_the_rendered_menu_follows_the_role(owner_client, manager_client, freelancer_client):
    owner_page = owner_client.get("/dashboard/").content.decode()
    manager_page = manager_client.get("/dashboard/").content.decode()
    portal_page = freelancer_client.get("/portal/").content.decode()
    assert 'href="/workspaces/settings/"' in owner_page
    assert 'href="/workspaces/settings/"' not in manager_page
    assert 'href="/dashboard/"' not in portal_page
    for page in (owner_page, manager_page, portal_page):
        menu = page.split('data-testid="main-menu"')[1].split("</nav>")[0]
        assert menu.count('class="menu-top') <= MAX_TOP_ENTRIES
