from trellis.accounts.navigation import nav_items


def navigation(request):
    """``nav_items``: the navigation links, built on first use in a template (partials never use them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    built: list = []

    def items() -> list:
        if not built:
            built.append(nav_items(request))
        return built[0]

    return {"nav_items": items}
