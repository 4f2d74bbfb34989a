from competency.roles import is_hr


def roles(request):
    """What the layout needs to know of the person: which navigation to show.
    A request refused before the authentication middleware ran (a host the
    site does not serve, say: the 400 page) has no user."""
    return {"is_hr": is_hr(getattr(request, "user", None))}
