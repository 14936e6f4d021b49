from trellis.orgs.roles import roles_of


def roles(request):
    """The signed-in person's roles, for the navigation."""
    return {"roles": roles_of(getattr(request, "user", None))}
