"""A district that turns Trellis passwords off: its people sign in with the provider (operators excepted)."""

import pytest
from django.urls import reverse

from trellis.orgs.factories import PersonFactory
from trellis.rostering.services import district_sso_save

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def sso_only(world):
    for person in (world.teacher, world.teacher_b):
        person.set_password(PASSWORD)
        person.save()
    return district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="google",
        domains=["a.example.org"],
        client_id="c",
        client_secret="s",
        allow_local_passwords=False,
    )


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_password_sign_in_is_refused_with_a_pointer_to_the_provider(world, sso_only, client):
    response = login(client, "teacher@a.example.org")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Cedar Valley ISD signs in with Google Workspace" in text
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_in_an_sso_domain_gets_the_same_pointer(world, sso_only, client):
    response = login(client, "nobody@a.example.org", "wrong-password-1")
    assert "signs in with Google Workspace" in response.content.decode()


def test_people_of_the_district_with_another_domain_are_refused_too(world, sso_only, client):
    world.teacher.email = "ana@gmail.example.com"
    world.teacher.save()
    response = login(client, "ana@gmail.example.com")
    assert "signs in with Google Workspace" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_districts_still_use_passwords(world, sso_only, client):
    response = login(client, "teacher@b.example.org")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.teacher_b.pk)


def test_platform_operators_keep_their_password(world, sso_only, client):
    operator = PersonFactory(email="ops@a.example.org", district=world.district, is_superuser=True)
    operator.set_password(PASSWORD)
    operator.save()
    response = login(client, "ops@a.example.org")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(operator.pk)


def test_passwords_work_again_when_allowed(world, sso_only, client):
    district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="google",
        domains=["a.example.org"],
        client_id="c",
        allow_local_passwords=True,
    )
    assert login(client, "teacher@a.example.org").status_code == 302


def test_passwords_cannot_be_turned_off_without_sso(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        district_sso_save(
            actor=None,
            district=world.district,
            enabled=False,
            kind="google",
            domains=["a.example.org"],
            client_id="c",
            client_secret="s",
            allow_local_passwords=False,
        )
    assert "allow_local_passwords" in exc.value.message_dict
