"""Builders for talent tests: a fully vetted freelancer in a few lines."""

from __future__ import annotations

import datetime

from sourcewise.talent.models import (
    FreelancerLanguage,
    FreelancerSkill,
    Interview,
    PortfolioItem,
    Reference,
    TrialTask,
)
from tests.talent.factories import FreelancerFactory

T = datetime.time


def freelancer(workspace, *, status="prospect", zone="Europe/London", hours=("09:00", "17:00"), days=(0, 1, 2, 3, 4),
               languages=None, skills=None, **fields):  # fmt: skip
    f = FreelancerFactory(
        workspace=workspace,
        status=status,
        timezone=zone,
        work_start=T.fromisoformat(hours[0]),
        work_end=T.fromisoformat(hours[1]),
        work_days=list(days),
        **fields,
    )
    for code, level in (languages if languages is not None else {"en": "C1"}).items():
        FreelancerLanguage.objects.create(workspace=workspace, freelancer=f, language=code, level=level)
    for skill, level in (skills or {}).items():
        FreelancerSkill.objects.create(freelancer=f, skill=skill, level=level)
    return f


def vet(f, *, refs=(5, 4), trial=4, portfolio=4, interview=True):
    ws = f.workspace
    if portfolio is not None:
        PortfolioItem.objects.create(workspace=ws, freelancer=f, title="Work", rating=portfolio)
    for i, rating in enumerate(refs):
        Reference.objects.create(
            workspace=ws, freelancer=f, client_name=f"Client {i}", contact="c@example.org", rating=rating, comment="ok"
        )
    if interview:
        Interview.objects.create(
            workspace=ws, freelancer=f, held_on=datetime.date(2026, 1, 5), communication=4, culture_fit=4
        )
    if trial is not None:
        TrialTask.objects.create(
            workspace=ws, freelancer=f, title="Trial", completed_on=datetime.date(2026, 1, 9), rating=trial
        )
    return f
