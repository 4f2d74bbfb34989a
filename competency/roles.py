"""Who may do what, written once.

Three groups: HR maintain frameworks, the catalogue and role profiles; line
managers and staff read published profiles (and, with the appraisals issue,
their own team's or their own appraisals). HR is a permission, not a name
check, so a superuser or a custom group with the same rights works too.
"""

from django.contrib.auth.decorators import login_required, permission_required

HR = "HR"
LINE_MANAGERS = "Line managers"
STAFF = "Staff"

# The permission that makes someone HR in this application.
HR_PERMISSION = "profiles.change_roleprofile"


def is_hr(user):
    return bool(user and user.is_authenticated and user.has_perm(HR_PERMISSION))


def hr_required(view):
    """For HR's pages: anonymous people are sent to sign in; signed-in people
    without HR's permission get 403 before anything is looked up, so an id
    tells them nothing."""
    return login_required(permission_required(HR_PERMISSION, raise_exception=True)(view))
