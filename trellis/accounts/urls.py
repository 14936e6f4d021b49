from django.urls import path

from trellis.accounts import views
from trellis.accounts.feeds import calendar_feed

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
