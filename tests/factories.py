"""factory-boy factories for the foundation models. Later apps add theirs beside these."""

from __future__ import annotations

import datetime

import factory

from sourcewise.accounts.models import User
from sourcewise.core.access import OWNER
from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Membership, Workspace

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Business {n}")
    home_country = "GB"
    base_currency = "GBP"
    timezone = "Europe/London"
    business_start = datetime.time(9, 0)
    business_end = datetime.time(17, 0)
    stage = Workspace.Stage.STARTUP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = OWNER


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


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Task {n}")


class TaskSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskSkill

    task = factory.SubFactory(TaskFactory)
    skill = factory.SubFactory(SkillFactory, workspace=factory.SelfAttribute("..task.workspace"))
    level = 3
