"""One way to ask for "today": `Workspace.today()` for a workspace, `server_today()` otherwise.

Scans every module under src/ with `ast` and names file and line of any other way of reading
today's date or the wall clock's naive time: `date.today()`, `datetime.today()`,
`datetime.now()` without a zone, `timezone.localdate()` without a value (whatever zone it is
given), and `.date()` of `now()` / `localtime()` without a value.
"""

from __future__ import annotations

import ast
import pathlib
import textwrap

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"

# The only modules that may compute "today": the workspace's (in its zone) and the server's.
ALLOWED = {
    pathlib.Path("sourcewise/workspaces/models.py"),
    pathlib.Path("sourcewise/core/dates.py"),
}


def _name(node: ast.expr) -> str:
    """The last name of a callee: `timezone.localdate` -> "localdate", `datetime.datetime` -> "datetime"."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _receiver(node: ast.expr) -> str:
    return _name(node.value) if isinstance(node, ast.Attribute) else ""


def _no_value(call: ast.Call) -> bool:
    return not call.args and not any(k.arg == "value" for k in call.keywords)


def bare_todays(source: str) -> list[tuple[int, str]]:
    """(line, text) of every forbidden way of reading today in `source`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func, name, receiver = node.func, _name(node.func), _receiver(node.func)
        if name == "today" and receiver in {"date", "datetime"}:
            found.append((node.lineno, f"{receiver}.today()"))
        elif name == "now" and receiver == "datetime" and not node.args and not node.keywords:
            found.append((node.lineno, "datetime.now() without a zone"))
        elif name == "localdate" and _no_value(node):
            found.append((node.lineno, "timezone.localdate() without a value"))
        elif (
            name == "date"
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and _name(func.value.func) in {"now", "localtime"}
            and _no_value(func.value)
        ):
            found.append((node.lineno, f"{_name(func.value.func)}().date()"))
    return sorted(found)


def test_no_bare_today_outside_the_workspace_and_the_server_helper() -> None:
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative in ALLOWED:
            continue
        for line, what in bare_todays(path.read_text(encoding="utf-8")):
            offences.append(f"src/{relative}:{line}: {what}")
    assert not offences, (
        "Use workspace.today() (a workspace's date) or sourcewise.core.dates.server_today() "
        "(work that belongs to no workspace):\n" + "\n".join(offences)
    )


def test_the_allowed_modules_exist() -> None:
    # A renamed module would silently widen nothing but leave a stale allow-list behind.
    for relative in ALLOWED:
        assert (SRC / relative).is_file(), relative


@pytest.mark.parametrize(
    "snippet",
    [
        "import datetime\nd = datetime.date.today()",
        "from datetime import date\nd = date.today()",
        "from datetime import datetime\nd = datetime.today()",
        "import datetime\nd = datetime.datetime.now()",
        "from django.utils import timezone\nd = timezone.localdate()",
        "from django.utils import timezone\nd = timezone.localdate(timezone=zone)",
        "from django.utils.timezone import localdate\nd = localdate()",
        "from django.utils import timezone\nd = timezone.now().date()",
        "from django.utils import timezone\nd = timezone.localtime().date()",
    ],
)
def test_the_scan_finds_a_bare_today(snippet: str) -> None:
    assert [line for line, _ in bare_todays(snippet)] == [2]


@pytest.mark.parametrize(
    "snippet",
    [
        "d = workspace.today()",
        "from sourcewise.core.dates import server_today\nd = server_today()",
        "from django.utils import timezone\nd = timezone.localdate(moment)",  # an instant's date, not today
        "from django.utils import timezone\nd = timezone.localtime(moment, zone).date()",
        "import datetime\nd = datetime.datetime.now(datetime.UTC)",  # an aware instant
        "from django.utils import timezone\nmoment = timezone.now()",
    ],
)
def test_the_scan_leaves_other_calls_alone(snippet: str) -> None:
    assert bare_todays(snippet) == []


def test_the_scan_names_the_line() -> None:
    source = textwrap.dedent(
        """
        import datetime


        def f():
            return datetime.date.today()
        """
    )
    assert bare_todays(source) == [(6, "date.today()")]
