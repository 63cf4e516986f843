"""Which tables make up a workspace, discovered from the models — not listed by hand.

A model belongs to a workspace's backup when it has a `workspace` foreign key, or when
it hangs (through a required foreign key) from a model that does — e.g. the skill levels
of a freelancer. A new model in any app is therefore backed up without editing this file;
a foreign key this module cannot translate (to a model outside the workspace) makes
`backup_models()` fail loudly, so a new kind of reference is never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from sourcewise.workspaces.models import Workspace

# Not part of a backup, on purpose: credentials (API tokens, pending invitation links)
# must never travel in a file, and jobs are transient progress records. The
# notification log is keyed by database ids and recipients across the instance: a row
# from a file would mark someone else's e-mail as already sent, so it never travels
# (older backups that hold it restore without it). Stored findings are recomputed from the
# restored data on the first read (their subject ids would not match the new rows); the
# health history travels. Stored cost reports and their stamp are derived the same way.
EXCLUDED = frozenset(
    {
        "api.apitoken",
        "workspaces.invitation",
        "jobs.job",
        "guidance.notification",
        "findings.findingrecord",
        "findings.findingsstate",
        "findings.findingtally",
        "costs.costreportstamp",
        "costs.storedcostreport",
    }
)


@dataclass(frozen=True)
class Reference:
    """A foreign key of a backed-up model, and how its value travels in the file."""

    field: models.ForeignKey
    kind: str  # "workspace" | "user" (by email) | "row" (id of a backed-up row)
    target: str = ""  # label of the target model for kind "row"
    deferred: bool = False  # set after every row exists (cycles, e.g. SOP ↔ its current version)


@dataclass(frozen=True)
class ModelSpec:
    model: type[models.Model]
    label: str
    values: tuple[models.Field, ...]
    references: tuple[Reference, ...]
    many_to_many: tuple[models.ManyToManyField, ...] = field(default=())

    def reference(self, name: str) -> Reference | None:
        return next((r for r in self.references if r.field.name == name), None)


def _is_included(model: type[models.Model], included: set[type[models.Model]]) -> bool:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.name == "workspace" and f.related_model is Workspace:
            return True
        if isinstance(f, models.ForeignKey) and not f.null and f.related_model in included:
            return True
    return False


def _included_models() -> list[type[models.Model]]:
    user_model = get_user_model()
    candidates = [
        m
        for m in apps.get_models()
        if m._meta.label_lower not in EXCLUDED and m not in (Workspace, user_model) and not m._meta.proxy
    ]
    included: set[type[models.Model]] = set()
    changed = True
    while changed:  # child tables hang from included ones: repeat until nothing new joins
        changed = False
        for model in candidates:
            if model not in included and _is_included(model, included):
                included.add(model)
                changed = True
    return sorted(included, key=lambda m: m._meta.label_lower)


def _references(model: type[models.Model], included: set[type[models.Model]]) -> list[Reference]:
    user_model = get_user_model()
    references = []
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey):
            if f.is_relation:
                raise TypeError(f"{model._meta.label}.{f.name}: a {type(f).__name__} cannot be backed up.")
            continue
        if f.related_model is Workspace:
            references.append(Reference(f, "workspace"))
        elif f.related_model is user_model:
            references.append(Reference(f, "user"))
        elif f.related_model in included:
            references.append(Reference(f, "row", f.related_model._meta.label_lower))
        else:
            raise TypeError(
                f"{model._meta.label}.{f.name} points to {f.related_model}, which is not part of a workspace "
                "backup: add it to the backup or to backups.tables.EXCLUDED."
            )
    return references


def _order(
    models_: list[type[models.Model]], refs: dict[type[models.Model], list[Reference]]
) -> list[type[models.Model]]:
    """Parents before children; a cycle is broken at a nullable key, which is set afterwards."""
    by_label = {m._meta.label_lower: m for m in models_}
    placed: list[type[models.Model]] = []
    remaining = list(models_)
    while remaining:
        for strict in (True, False):
            ready = [
                m
                for m in remaining
                if all(
                    by_label[r.target] in placed or by_label[r.target] is m or (not strict and r.field.null)
                    for r in refs[m]
                    if r.kind == "row"
                )
            ]
            if ready:
                break
        if not ready:
            raise TypeError(f"Cannot order {remaining}: a cycle of required foreign keys.")
        model = ready[0]
        placed.append(model)
        remaining.remove(model)
    return placed


@cache
def backup_models() -> tuple[ModelSpec, ...]:
    """Every backed-up model in an order that lets a restore insert parents first."""
    included = _included_models()
    refs = {m: _references(m, set(included)) for m in included}
    specs = []
    placed: set[str] = set()
    for model in _order(included, refs):
        label = model._meta.label_lower
        references = tuple(
            Reference(
                r.field, r.kind, r.target, deferred=r.kind == "row" and (r.target not in placed or r.target == label)
            )
            for r in refs[model]
        )
        values = tuple(f for f in model._meta.concrete_fields if not f.is_relation and not f.primary_key)
        many = tuple(
            f
            for f in model._meta.many_to_many
            if f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
        )
        for f in many:
            if f.related_model not in included:
                raise TypeError(f"{model._meta.label}.{f.name} points outside the workspace backup.")
        specs.append(ModelSpec(model, label, values, references, many))
        placed.add(label)
    return tuple(specs)
