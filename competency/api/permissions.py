"""Who may call what, from the rules the pages use (competency.roles).

Permissions decide by person before any row is looked up (403, as HR's
pages do); which rows a person sees is each viewset's get_queryset(), with
the models' visible_to(user), so a hidden row is 404 and never listed."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from competency.roles import is_hr


class IsHR(BasePermission):
    message = "Only HR may do this."

    def has_permission(self, request, view):
        return is_hr(request.user)


class ReadOrHR(BasePermission):
    """Everyone signed in reads (what their querysets show them); only HR write."""

    message = "Only HR may change this."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or is_hr(request.user)
