"""The cycle models and meeting protocols shipped with Trellis, installed after every migrate."""

import json

import pytest

from trellis.coaching.models import CycleModel, Protocol, ProtocolPurpose
from trellis.coaching.starter import STARTER_FILE, install_starter_protocols

pytestmark = pytest.mark.django_db

CYCLE_MODELS = {"see-name-do", "identify-learn-improve", "student-centred"}
PROTOCOLS = {"see-name-do", "intake", "check-in", "planning", "reflecting"}


def test_migrate_installed_them_for_everyone():
    assert set(CycleModel.objects.filter(district=None).values_list("key", flat=True)) == CYCLE_MODELS
    assert set(Protocol.objects.filter(district=None).values_list("key", flat=True)) == PROTOCOLS
    assert CycleModel.objects.count() == 3 and Protocol.objects.count() == 5
    for row in [*CycleModel.objects.all(), *Protocol.objects.all()]:
        assert row.district_id is None
        assert row.is_active
        assert row.licence == "CC-BY-4.0"
        assert row.name


def test_the_data_file_matches_what_is_installed():
    data = json.loads(STARTER_FILE.read_text(encoding="utf-8"))
    assert {c["key"] for c in data["cycle_models"]} == CYCLE_MODELS
    assert {p["key"] for p in data["protocols"]} == PROTOCOLS
    for item in data["protocols"]:
        assert Protocol.objects.get(district=None, key=item["key"]).steps == item["steps"]


@pytest.mark.parametrize("key", sorted(PROTOCOLS))
def test_protocol_steps_are_complete(key):
    protocol = Protocol.objects.get(district=None, key=key)
    assert protocol.purpose in ProtocolPurpose.values
    assert protocol.steps
    keys = [step["key"] for step in protocol.steps]
    assert len(keys) == len(set(keys)), f"{key}: step keys repeat"
    for step in protocol.steps:
        assert step["key"] and isinstance(step["key"], str)
        assert step["label"] and isinstance(step["label"], str)
        assert isinstance(step["minutes"], int) and step["minutes"] > 0
        assert step["prompts"] and all(isinstance(p, str) and p.strip() for p in step["prompts"])
    assert protocol.total_minutes == sum(step["minutes"] for step in protocol.steps)
    # A meeting fits the session lengths the schedule allows.
    assert 10 <= protocol.total_minutes <= 180


@pytest.mark.parametrize("key", sorted(CYCLE_MODELS))
def test_cycle_models_have_phases_and_a_cadence(key):
    model = CycleModel.objects.get(district=None, key=key)
    assert model.phases and all(p["key"] and p["label"] for p in model.phases)
    assert len({p["key"] for p in model.phases}) == len(model.phases)
    assert 1 <= model.meetings_per_month <= 8
    assert 10 <= model.meeting_minutes <= 120


def test_the_intake_protocol_is_for_intake():
    assert Protocol.objects.get(district=None, key="intake").purpose == ProtocolPurpose.INTAKE


def test_installing_again_adds_nothing():
    before = (CycleModel.objects.count(), Protocol.objects.count())
    assert install_starter_protocols() == 0
    assert install_starter_protocols() == 0
    assert (CycleModel.objects.count(), Protocol.objects.count()) == before


def test_a_deleted_one_comes_back_and_an_edited_one_is_kept():
    Protocol.objects.get(district=None, key="check-in").delete()
    CycleModel.objects.get(district=None, key="student-centred").delete()
    edited = Protocol.objects.get(district=None, key="planning")
    edited.name = "Planning (our wording)"
    edited.save()
    assert install_starter_protocols() == 2
    assert Protocol.objects.filter(district=None, key="check-in").exists()
    assert CycleModel.objects.filter(district=None, key="student-centred").exists()
    assert Protocol.objects.get(district=None, key="planning").name == "Planning (our wording)"
    assert install_starter_protocols() == 0


def test_a_districts_own_copy_does_not_stop_the_shipped_one(world):
    Protocol.objects.get(district=None, key="check-in").delete()
    Protocol.objects.create(district=world.district, key="check-in", name="Our check-in", purpose="check_in")
    assert install_starter_protocols() == 1
    assert Protocol.objects.filter(key="check-in").count() == 2
