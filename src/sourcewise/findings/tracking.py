"""Every write to the data the rules read leaves a `PendingRefresh` marker.

The marker is written in the same transaction as the change (a crash loses neither), and
names the subjects the row belongs to — its engagement, freelancer, task, SOP or member,
before and after the change. A row that belongs to no subject but to the workspace (a
skill, a document type, an exchange rate, the workspace's thresholds) marks the whole
workspace; a cost of the workspace itself asks only for the workspace-wide checks ("wide").
`refresh.ensure_fresh` turns the markers into a scoped refresh before the next read.

Bulk writes that bypass signals (`QuerySet.update`, `bulk_create`) call `mark()` or run
inside `paused()` and then refresh the workspace in full.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from sourcewise.findings.models import PendingRefresh
from sourcewise.findings.registry import domain
from sourcewise.workspaces.models import Membership

# Apps whose rows the rules read. Everything else (audit, jobs, API keys, backups, sessions,
# the stored findings themselves) never changes a finding.
TRACKED_APPS = ("workspaces", "talent", "tasks", "engagements", "guidance", "costs", "money")
# Rows in those apps that no rule reads.
IGNORED_MODELS = {"guidance.notification", "workspaces.invitation", "engagements.timeentry"}

SUBJECT_MODELS = {
    "engagements.engagement": "engagement",
    "talent.freelancer": "freelancer",
    "tasks.task": "task",
    "guidance.sop": "sop",
    "workspaces.membership": "membership",
}
WORKSPACE = "workspace"
# A cost that belongs to no engagement, task or manager (the workspace's own tools, say) is read
# only by the workspace-wide checks (spend shares): its marker asks for the wide refresh alone,
# not for every check on every subject.
WIDE = "wide"
# A marker "task:ref" means: the row pointing at this task changed, not the task itself.
REFERENCE = ":ref"
REFERENCED_ONLY = ("task", "membership")

# Cost rows: on an engagement they name its task and manager as references only; on none
# (a cost of the workspace itself) they ask for the wide refresh alone.
COST_ROWS = {"costs.costentry", "costs.costmonth"}


def _cost_references(pairs: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """A cost on an engagement carries its task only as a copy (`manual_entries`): it changes
    that engagement's findings, not those of every engagement of the task (which a cost of the
    task itself does: overhead on the task counts for all of them). No rule reads a cost by the
    manager whose time it is. Those two are looked at themselves, without widening."""
    on_engagement = any(t == "engagement" for t, _ in pairs)
    return [
        (f"{t}{REFERENCE}", i) if t == "membership" or (t == "task" and on_engagement) else (t, i) for t, i in pairs
    ]


_state = threading.local()


def _paused() -> set[int] | None:
    return getattr(_state, "paused", None)


@contextmanager
def paused() -> Iterator[set[int]]:
    """No markers while inside (bulk loads); yields the workspace ids that were written to,
    which the caller refreshes in full afterwards."""
    previous = _paused()
    touched: set[int] = set()
    _state.paused = touched
    try:
        yield touched
    finally:
        _state.paused = previous
        if previous is not None:
            previous |= touched


def mark(workspace_id: int, subjects: list[tuple[str, int | None]]) -> None:
    """Record that these subjects of the workspace changed (a `None` id: the whole workspace)."""
    touched = _paused()
    if touched is not None:
        touched.add(workspace_id)
        return
    if not subjects:
        subjects = [(WORKSPACE, None)]
    unique = dict.fromkeys(subjects)
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(workspace_id=workspace_id, subject_type=t, subject_id=i) for t, i in unique]
    )


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _subject_fields(model: type[models.Model]) -> list[tuple[str, str]]:
    """(attname, subject type) of the model's foreign keys to a subject."""
    cache: dict[type[models.Model], list[tuple[str, str]]] = _state.__dict__.setdefault("fields", {})
    if model not in cache:
        cache[model] = [
            (f.attname, SUBJECT_MODELS[_label(f.related_model)])
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None and _label(f.related_model) in SUBJECT_MODELS
        ]
    return cache[model]


def _subjects(instance: models.Model) -> list[tuple[str, int | None]]:
    model = type(instance)
    own = SUBJECT_MODELS.get(_label(model))
    subjects: list[tuple[str, int | None]] = []
    if own is not None:
        subjects.append((own, instance.pk))
    for attname, subject_type in _subject_fields(model):
        value = getattr(instance, attname, None)
        if value is not None:
            subjects.append((subject_type, value))
    return subjects


def _workspace_id(instance: models.Model, subjects: list[tuple[str, int | None]]) -> int | None:
    if _label(type(instance)) == "workspaces.workspace":
        return instance.pk
    workspace_id = getattr(instance, "workspace_id", None)
    if workspace_id is not None:
        return workspace_id
    # A row without its own workspace column (a task's skill need): ask its subject.
    for attname, subject_type in _subject_fields(type(instance)):
        value = getattr(instance, attname, None)
        if value is not None:
            model = next(m for m, t in SUBJECT_MODELS.items() if t == subject_type)
            return apps.get_model(model).objects.filter(pk=value).values_list("workspace_id", flat=True).first()
    return None


def _tracked(sender: type[models.Model]) -> bool:
    meta = sender._meta
    return meta.app_label in TRACKED_APPS and meta.label_lower not in IGNORED_MODELS and not meta.auto_created


def _before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    # An engagement moved to another manager or freelancer changes the old one's findings too.
    instance._findings_before = []  # type: ignore[attr-defined]
    if raw or _paused() is not None or instance._state.adding or instance.pk is None:
        return
    fields = _subject_fields(sender)
    if not fields:
        return
    old = sender._default_manager.filter(pk=instance.pk).values(*[a for a, _ in fields]).first() or {}
    instance._findings_before = [(t, old.get(a)) for a, t in fields if old.get(a) is not None]  # type: ignore[attr-defined]


def _after_write(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    now, before = _subjects(instance), getattr(instance, "_findings_before", [])
    if _label(sender) in COST_ROWS:
        now, before = _cost_references(now), _cost_references(before)
    subjects = now + before
    if _label(sender) == "workspaces.workspace":
        subjects = [(WORKSPACE, None)]
    workspace_id = _workspace_id(instance, subjects)
    if workspace_id is None:
        return
    own = SUBJECT_MODELS.get(_label(sender))
    if own is None and not _subject_fields(sender):
        subjects = [(WORKSPACE, None)]  # belongs to the workspace as a whole
    elif not subjects and _label(sender) in COST_ROWS:
        subjects = [(WIDE, None)]
    elif own is not None:
        # Saving an engagement changes the engagement, not its task or its manager: only
        # their own findings are looked at again, not every engagement of the task or of
        # the manager (which is what a change to the task or the member itself needs).
        subjects = [
            (f"{t}{REFERENCE}" if t in REFERENCED_ONLY and (t, i) != (own, instance.pk) else t, i) for t, i in subjects
        ]
    mark(workspace_id, subjects)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _label(sender) == "workspaces.workspace":
        return  # its findings go with it (CASCADE)
    _after_write(sender, instance)


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    model: type[models.Model] | None = None,
    pk_set: set[int] | None = None,
    **kwargs: Any,
) -> None:
    """A link added or removed (an SOP's tasks or skills) changes both ends: after a removal
    the other end can no longer be found from this one, so it is named here."""
    if not _tracked(type(instance)):
        return
    if action == "pre_clear":
        # `clear()` does not say what it removes: the whole workspace.
        workspace_id = _workspace_id(instance, _subjects(instance))
        if workspace_id is not None:
            mark(workspace_id, [(WORKSPACE, None)])
        return
    if action not in ("post_add", "post_remove"):
        return
    subjects = _subjects(instance)
    if model is not None and pk_set:
        other = SUBJECT_MODELS.get(_label(model))
        if other is not None:
            subjects += [(other, pk) for pk in sorted(pk_set)]
        if _label(sender) == "guidance.sop_skills":
            # An SOP on a skill reaches the tasks that need that skill.
            skills = sorted(pk_set) if _label(model) == "talent.skill" else [instance.pk]
            needing = domain().tasks_needing_skills(skills)
            subjects += [("task", pk) for pk in needing]
    workspace_id = _workspace_id(instance, subjects)
    if workspace_id is not None:
        mark(workspace_id, subjects)


# What findings show of a person (`display_name`): only a change to these marks anything.
NAME_FIELDS = ("full_name", "email")


def _user_before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    instance._findings_name = None  # type: ignore[attr-defined]
    update_fields = kwargs.get("update_fields")
    if raw or instance._state.adding or (update_fields is not None and not set(update_fields) & set(NAME_FIELDS)):
        return
    instance._findings_name = sender._default_manager.filter(pk=instance.pk).values_list(*NAME_FIELDS).first()  # type: ignore[attr-defined]


def _user_saved(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """A person's name is in the findings about the engagements they manage: mark their memberships
    when it changed. A sign-in (`last_login`) or a new password changes no finding: marking
    then would re-check every engagement the person manages on the next page they open."""
    before = getattr(instance, "_findings_name", None)
    if raw or kwargs.get("created") or before is None:
        return
    if tuple(getattr(instance, name) for name in NAME_FIELDS) == tuple(before):
        return
    for workspace_id, membership_id in Membership.objects.filter(user_id=instance.pk).values_list("workspace_id", "pk"):
        mark(workspace_id, [("membership", membership_id)])


def connect() -> None:
    pre_save.connect(_user_before_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="findings-pre-user")
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="findings-post-user")
    for model in apps.get_models():
        if not _tracked(model):
            continue
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"findings-pre-{_label(model)}")
        post_save.connect(_after_write, sender=model, dispatch_uid=f"findings-post-{_label(model)}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"findings-del-{_label(model)}")
    m2m_changed.connect(_m2m_changed, dispatch_uid="findings-m2m")
