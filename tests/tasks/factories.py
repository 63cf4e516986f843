"""factory-boy factories of the tasks app."""

from __future__ import annotations

import factory

from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from tests.talent.factories import SkillFactory
from tests.workspaces.factories import WorkspaceFactory


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


class ReadyTaskFactory(TaskFactory):
    """An outsourceable task: a deliverable with acceptance criteria, checkpoints every 7 days."""

    class Meta:
        model = Task
        skip_postgeneration_save = True

    checkpoint_every_days = 7
    deliverable = factory.RelatedFactory("tests.tasks.factories.DeliverableFactory", factory_related_name="task")


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    task = factory.SubFactory(ReadyTaskFactory)
    workspace = factory.SelfAttribute("task.workspace")
    name = factory.Sequence(lambda n: f"Deliverable {n}")
    acceptance_criteria = "Signed off by the manager."
