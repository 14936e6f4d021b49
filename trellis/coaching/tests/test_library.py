"""A district's own cycle models and protocols: made from scratch or from a shipped one, offered or not."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.coaching.models import CycleModel, Protocol
from trellis.coaching.services import relationship_create
from trellis.coaching.services.library import cycle_model_save, library_item_set_offered, protocol_save


def _phase_post(rows, **main):
    data = {"phase-TOTAL_FORMS": "8", "phase-INITIAL_FORMS": "0", **main}
    for i in range(8):
        label, description = rows[i] if i < len(rows) else ("", "")
        data[f"phase-{i}-label"] = label
        data[f"phase-{i}-description"] = description
    return data


def _step_post(rows, **main):
    data = {"step-TOTAL_FORMS": "10", "step-INITIAL_FORMS": "0", **main}
    for i in range(10):
        label, minutes, prompts = rows[i] if i < len(rows) else ("", "", "")
        data[f"step-{i}-label"] = label
        data[f"step-{i}-minutes"] = minutes
        data[f"step-{i}-prompts"] = prompts
        data[f"step-{i}-pulls"] = ""
    return data


def test_admin_makes_a_cycle_model_with_its_own_phases(world, client_for):
    client = client_for(world.district_admin)
    data = _phase_post(
        [("Plan", "Set a goal"), ("", ""), ("Teach", "Try it"), ("Reflect", "")],
        name="Plan, teach, reflect",
        description="Our district's cycle.",
        meetings_per_month="3",
        meeting_minutes="40",
    )
    response = client.post(reverse("coaching:cycle-model-create"), data)
    assert response.status_code == 302
    model = CycleModel.objects.get(district=world.district)
    assert [p["label"] for p in model.phases] == ["Plan", "Teach", "Reflect"]
    assert (model.meetings_per_month, model.meeting_minutes, model.key) == (3, 40, "plan-teach-reflect")
    page = client.get(reverse("coaching:library")).content.decode()
    assert "Plan, teach, reflect" in page and "Your district's own" in page
    assert AuditEntry.objects.filter(action="cycle_model.create").count() == 1


def test_a_copy_starts_from_the_shipped_model(world, client_for):
    shipped = CycleModel.objects.get(district=None, key="see-name-do")
    page = client_for(world.district_admin).get(reverse("coaching:cycle-model-create") + f"?from={shipped.pk}")
    html = page.content.decode()
    assert f'value="{shipped.name} (our version)"' in html
    assert f'value="{shipped.phases[0]["label"]}"' in html


def test_a_cycle_model_without_phases_is_refused_and_nothing_is_stored(world, client_for):
    response = client_for(world.district_admin).post(
        reverse("coaching:cycle-model-create"),
        _phase_post([], name="Empty", meetings_per_month="2", meeting_minutes="30"),
    )
    assert response.status_code == 200
    assert "Name at least one phase." in response.content.decode()
    assert not CycleModel.objects.filter(district=world.district).exists()


def test_protocol_steps_need_a_time_box_and_script_is_shown_as_text(world, client_for):
    client = client_for(world.district_admin)
    bad = client.post(
        reverse("coaching:protocol-create"),
        _step_post([("Wins", "", "What went well?")], name="Ours", purpose="check_in"),
    )
    assert "Give this step a time box." in bad.content.decode()
    assert not Protocol.objects.filter(district=world.district).exists()
    good = client.post(
        reverse("coaching:protocol-create"),
        _step_post(
            [("Wins", "5", "What went well?\n<script>alert(1)</script>"), ("Next", "10", "")],
            name="<b>Ours</b>",
            purpose="check_in",
        ),
    )
    assert good.status_code == 302
    protocol = Protocol.objects.get(district=world.district)
    assert protocol.steps[0]["prompts"] == ["What went well?", "<script>alert(1)</script>"]
    assert protocol.total_minutes == 15
    page = client.get(reverse("coaching:library")).content.decode()
    assert "&lt;b&gt;Ours&lt;/b&gt;" in page and "<b>Ours</b>" not in page


def test_shipped_items_are_read_only(world):
    shipped = Protocol.objects.get(district=None, key="check-in")
    with pytest.raises(ValidationError):
        protocol_save(
            actor=world.district_admin,
            district=world.district,
            protocol=shipped,
            name="x",
            purpose="check_in",
            steps=[{"label": "a", "minutes": 5}],
        )
    with pytest.raises(ValidationError):
        library_item_set_offered(actor=world.district_admin, item=shipped, offered=False)


def test_other_districts_admin_cannot_write_into_this_district(world):
    with pytest.raises(ValidationError):
        cycle_model_save(actor=world.other_admin, district=world.district, name="x", phases=[{"label": "a"}])


def test_a_model_no_longer_offered_cannot_start_a_relationship(world, client_for):
    model = cycle_model_save(actor=world.district_admin, district=world.district, name="Ours", phases=[{"label": "A"}])
    response = client_for(world.district_admin).post(
        reverse("coaching:library-offer", args=["cycle-model", model.pk]), {"offered": "0"}, follow=True
    )
    assert "no longer offered" in response.content.decode()
    model.refresh_from_db()
    assert model.is_active is False
    with pytest.raises(ValidationError) as exc:
        relationship_create(actor=world.coach, teachers=[world.teacher], cycle_model=model)
    assert "cycle_model" in exc.value.error_dict


def test_coaches_see_the_library_without_edit_buttons(world, client_for):
    page = client_for(world.coach).get(reverse("coaching:library")).content.decode()
    assert "See it, name it, do it" in page
    assert "Make our own version" not in page and "New protocol" not in page
