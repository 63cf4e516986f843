"""Which SOPs apply to which freelancers: the audiences, an extension point of guidance.

Each *audience* says, in both directions, how SOPs and freelancers meet. The built-in
audience is "the SOP is attached to a skill in the freelancer's profile"; the engagements
app adds "the SOP is attached to the task (or a skill of the task) of one of the
freelancer's engagements" with `register_sop_audience`. This module gives conditions (Q),
not querysets, so the SOP model's own queryset can use it without importing selectors.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet

from sourcewise.talent.models import Freelancer, FreelancerSkill

if TYPE_CHECKING:
    from sourcewise.guidance.models import SOP


@dataclass(frozen=True)
class SopAudience:
    """How SOPs reach freelancers. Both functions return a Q; they must describe the same pairs."""

    name: str
    sops_for: Callable[[QuerySet[Freelancer]], Q]  # Q on SOP, given some freelancers
    # Q on Freelancer, given some SOPs; best as id conditions (`pk__in` subqueries, no join),
    # which are read on the people themselves (see `freelancers_reached_by`).
    freelancers_for: Callable[[QuerySet[SOP]], Q]


_AUDIENCES: dict[str, SopAudience] = {}


def register_sop_audience(audience: SopAudience) -> None:
    _AUDIENCES[audience.name] = audience


def sop_audiences() -> list[SopAudience]:
    return list(_AUDIENCES.values())


register_sop_audience(
    SopAudience(
        name="profile_skills",
        sops_for=lambda freelancers: Q(skills__freelancer_levels__freelancer__in=freelancers),
        freelancers_for=lambda sops: Q(
            pk__in=FreelancerSkill.objects.filter(skill__sops__in=sops).values("freelancer_id")
        ),
    )
)


def _any(qs: Iterable[Q]) -> Q:
    return functools.reduce(operator.or_, qs, Q(pk__in=[]))


# Each audience is asked in a subquery of its own, and the answers are joined with OR on the
# id: OR-ing the audiences' joins in one query would multiply them (an SOP's skill holders
# times its task's engagements) before DISTINCT, which at 100,000 freelancers takes seconds.


def sops_reaching(freelancers: QuerySet[Freelancer] | QuerySet[Any]) -> Q:
    """A condition on SOP: the SOPs that reach any of `freelancers`."""
    # Looked up, not imported: guidance.models builds its querysets with this module.
    sop_model = apps.get_model("guidance", "SOP")
    return _any(Q(pk__in=sop_model.objects.filter(a.sops_for(freelancers)).values("pk")) for a in sop_audiences())


def _ids_only(condition: Q) -> bool:
    """True when every part of `condition` is an id condition (`pk__in=...`): no join."""
    return all(
        _ids_only(child) if isinstance(child, Q) else isinstance(child, tuple) and child[0] in {"pk__in", "id__in"}
        for child in condition.children
    )


def freelancers_reached_by(sops: QuerySet[SOP]) -> Q:
    """A condition on Freelancer: the freelancers any of `sops` reaches.

    An audience's id conditions are OR-ed as they are, read on the people themselves; any other
    (a join) is asked in a subquery of its own first, so it cannot multiply the people read."""
    conditions = (a.freelancers_for(sops) for a in sop_audiences())
    return _any(c if _ids_only(c) else Q(pk__in=Freelancer.objects.filter(c).values("pk")) for c in conditions)
