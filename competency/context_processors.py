from competency.roles import is_hr


def roles(request):
    """What the layout needs to know of the person: which navigation to show."""
    return {"is_hr": is_hr(request.user)}
