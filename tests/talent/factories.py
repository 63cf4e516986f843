"""factory-boy factories of the talent app."""

from __future__ import annotations

import factory

from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from tests.workspaces.factories import WorkspaceFactory


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")


class FreelancerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Freelancer

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"freelancer{n}@example.org")
    country = "PH"
    timezone = "Asia/Manila"


class FreelancerSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FreelancerSkill

    freelancer = factory.SubFactory(FreelancerFactory)
    skill = factory.SubFactory(SkillFactory, workspace=factory.SelfAttribute("..freelancer.workspace"))
    level = 3
