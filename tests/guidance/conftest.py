from __future__ import annotations

import pytest

from sourcewise.core.access import FREELANCER
from sourcewise.guidance import services
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory, SkillFactory
from tests.tasks.factories import TaskFactory
from tests.workspaces.factories import MembershipFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def skill(workspace):
    return SkillFactory(workspace=workspace, name="Customer support")


@pytest.fixture
def me(freelancer_member, skill):
    """The signed-in freelancer's profile, with the support skill."""
    freelancer = freelancer_member.user.freelancer_profiles.get()
    FreelancerSkillFactory(freelancer=freelancer, skill=skill, level=4)
    return freelancer


def freelancer_with_login(workspace, **kwargs):
    membership = MembershipFactory(workspace=workspace, role=FREELANCER)
    return FreelancerFactory(workspace=workspace, user=membership.user, email=membership.user.email, **kwargs)


def make_sop(workspace, actor=None, title="Support playbook", body="# Answer fast\n\nWithin 2 hours.", **kwargs):
    return services.create_sop(workspace=workspace, actor=actor, title=title, body=body, **kwargs)


@pytest.fixture
def task(workspace):
    return TaskFactory(workspace=workspace, name="Support inbox")
