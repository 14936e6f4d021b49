"""The calendar subscription page: make, replace and turn off one's private calendar address."""

import re

from django.urls import reverse

from trellis.accounts.models import CalendarFeed


def _address(response) -> str:
    match = re.search(r'id="feed-url"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "the page shows the new address"
    return match.group(1)


def test_page_without_address_offers_to_make_one(world, client_for):
    response = client_for(world.teacher).get(reverse("accounts:calendar"))
    assert "You have no calendar address yet." in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_making_an_address_shows_it_once_and_it_serves_the_calendar(world, client_for):
    client = client_for(world.teacher)
    response = client.post(reverse("accounts:calendar"), {"action": "create"})
    address = _address(response)
    assert "webcal://" in response.content.decode()
    feed = client_for(None).get(address.replace("http://testserver", "").replace("http://127.0.0.1:8000", ""))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    # Only a hash is kept: the token itself is not stored.
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    again = client.get(reverse("accounts:calendar"))
    assert token not in again.content.decode()
    assert "Your calendar address is on" in again.content.decode()


def test_a_new_address_replaces_the_old_one(world, client_for):
    client = client_for(world.teacher)
    first = _address(client.post(reverse("accounts:calendar"), {"action": "create"}))
    second = _address(client.post(reverse("accounts:calendar"), {"action": "create"}))
    anonymous = client_for(None)
    path = lambda url: "/" + url.split("/", 3)[3]  # noqa: E731
    assert anonymous.get(path(first)).status_code == 404
    assert anonymous.get(path(second)).status_code == 200


def test_turning_off_stops_the_address(world, client_for):
    client = client_for(world.coach)
    address = _address(client.post(reverse("accounts:calendar"), {"action": "create"}))
    response = client.post(reverse("accounts:calendar"), {"action": "revoke"}, follow=True)
    assert "turned off" in response.content.decode()
    assert client_for(None).get("/" + address.split("/", 3)[3]).status_code == 404
    assert CalendarFeed.objects.get().revoked_at is not None
