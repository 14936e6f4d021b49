"""The unread-notice count for the header (registered in settings by the lead)."""


def notices(request):
    """``unread_notice_count``: counted on first use in a template, at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: dict = {}

    def unread_notice_count() -> int:
        if "n" not in cache:
            from trellis.observations.selectors import unread_notice_count as count

            cache["n"] = count(user)
        return cache["n"]

    return {"unread_notice_count": unread_notice_count}
