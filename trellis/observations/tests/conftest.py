import pytest

from trellis.frameworks.models import ActionStep, Framework, FrameworkNode
from trellis.frameworks.starter import starter_framework_identifier


@pytest.fixture
def starter_version(db):
    return Framework.objects.get(
        case_identifier=starter_framework_identifier("open-instructional-practice")
    ).current_version


@pytest.fixture
def components(starter_version):
    return {n.code: n for n in FrameworkNode.objects.filter(version=starter_version, depth=2)}


@pytest.fixture
def obs(world, starter_version):
    from trellis.observations.services import observation_plan

    return observation_plan(
        actor=world.coach,
        teacher=world.teacher,
        kind="informal",
        campus=world.campus,
        framework_version=starter_version,
        lesson_objective="Compare fractions with unlike denominators",
    )


@pytest.fixture
def first_step(starter_version):
    return ActionStep.objects.filter(library__key="open-action-steps").order_by("sequence").first()
