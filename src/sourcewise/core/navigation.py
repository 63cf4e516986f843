"""The top menu: a few groups of pages, each page shown only to the roles its view lets in.

The menu never decides access itself: an entry appears when the role of the current
member is in the `workspace_view(roles=...)` declaration of the view the entry links to
(`core.access.access_of`), so an owner-only page (settings, audit log, backup) is never
offered to a manager, and the menu follows the views when their roles change.
Freelancers get their own short menu (the portal and their own work).

Rendered by the `main_menu` tag (core/templatetags/navigation.py) in base.html: at most
seven top entries, groups as `<details>` dropdowns (no JavaScript), the whole menu one
"Menu" `<details>` on a phone (app.css).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, resolve, reverse

from sourcewise.core.access import FREELANCER, WORKSPACE, access_of

# (group label, ((entry label, URL name), ...)); a group of one entry is a plain link.
INTERNAL_MENU: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Dashboard", (("Dashboard", "findings:dashboard"),)),
    (
        "Work",
        (
            ("Tasks", "tasks:task_list"),
            ("Outsourcing map", "tasks:outsourcing_map"),
            ("Engagements", "engagements:engagement_list"),
            ("Hours to approve", "engagements:time_approvals"),
            ("Managers", "engagements:manager_list"),
            ("Offboarding", "engagements:offboarding_list"),
        ),
    ),
    (
        "Talent",
        (
            ("Freelancers", "talent:freelancer_list"),
            ("Hiring board", "talent:board"),
            ("Bench", "talent:bench"),
            ("Match a task", "matching:match"),
            ("Skills", "talent:skill_list"),
        ),
    ),
    (
        "Guidance",
        (
            ("SOPs", "guidance:sop_list"),
            ("Documents", "guidance:document_overview"),
            ("Training", "guidance:training_list"),
            ("Pulse", "guidance:pulse_list"),
            ("The guardrails", "findings:guide"),
        ),
    ),
    (
        "Money",
        (
            ("Costs", "costs:dashboard"),
            ("Ledger", "costs:entry_list"),
            ("Invoices", "costs:invoice_list"),
            ("Fair rates", "money:fair_band"),
            ("Exchange rates", "money:rate_list"),
            ("Benchmarks", "money:benchmark_list"),
        ),
    ),
    (
        "Workspace",
        (
            ("Team", "workspaces:members"),
            ("Settings", "workspaces:settings"),
            ("Audit log", "audit:audit_log"),
            ("Backup", "backups:backup"),
        ),
    ),
)

FREELANCER_MENU: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Portal", (("Portal", "portal:home"),)),
    ("My engagements", (("My engagements", "engagements:engagement_list"),)),
    ("My invoices", (("My invoices", "costs:invoice_list"),)),
    ("My documents", (("My documents", "portal:documents"),)),
)

# The account dropdown, last of the top entries (the sign-out form follows its links).
ACCOUNT_MENU: tuple[tuple[str, str], ...] = (
    ("My profile", "my_profile"),
    ("API tokens", "api_tokens:token_list"),
    ("Switch workspace", "workspaces:workspace_list"),
)

MAX_TOP_ENTRIES = 7  # the groups plus the account dropdown


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Group:
    label: str
    entries: tuple[Entry, ...]

    @property
    def current(self) -> bool:
        return any(entry.current for entry in self.entries)

    @property
    def single(self) -> Entry | None:
        """The entry a one-page group links to directly (no dropdown)."""
        return self.entries[0] if len(self.entries) == 1 else None


@cache
def _url_and_roles(name: str) -> tuple[str, tuple[str, ...] | None] | None:
    """The path of a named route and the roles its view admits (None: any signed-in person)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    access = access_of(resolve(url).func)
    if access is not None and access.kind == WORKSPACE:
        return url, access.roles
    return url, None


def allowed(name: str, role: str | None) -> str | None:
    """The URL of `name` if a member with `role` may open it, else None."""
    found = _url_and_roles(name)
    if found is None:
        return None
    url, roles = found
    if roles is not None and role not in roles:
        return None
    return url


def _current_url(urls: list[str], path: str) -> str | None:
    """The entry the page at `path` belongs to: the longest entry URL that starts it."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len) if matches else None


def menu_for(role: str | None, path: str) -> tuple[list[Group], list[Entry]]:
    """The groups and the account entries a member with `role` sees on the page at `path`."""
    source = () if role is None else FREELANCER_MENU if role == FREELANCER else INTERNAL_MENU
    raw: list[tuple[str, list[tuple[str, str]]]] = []
    for label, items in source:
        entries = [(entry_label, url) for entry_label, name in items if (url := allowed(name, role))]
        if entries:
            raw.append((label, entries))
    account = [(label, url) for label, name in ACCOUNT_MENU if (url := allowed(name, role))]
    if role is None:  # signed in, no workspace yet: only the switcher makes sense
        account = [(label, url) for label, url in account if url == reverse("workspaces:workspace_list")]
    current = _current_url([url for _, entries in raw for _, url in entries] + [url for _, url in account], path)
    groups = [
        Group(label, tuple(Entry(entry_label, url, url == current) for entry_label, url in entries))
        for label, entries in raw
    ]
    return groups, [Entry(label, url, url == current) for label, url in account]
