"""Who may do what, written once.

Three groups: HR maintain frameworks, the catalogue and role profiles; line
managers and staff read published profiles, and their own team's or their
own appraisals. HR is a permission, not a name check, so a superuser or a
custom group with the same rights works too.
"""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

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


class Backend(ModelBackend):
    """Django's ModelBackend, except that:

    - the signed-in user is read with whether they hold HR's permission,
      directly or through a group (an EXISTS in the same query). Almost
      every page asks is_hr() (the navigation, the access rules,
      hr_required), which would otherwise cost two queries of its own per
      request, reading all the person's permissions. Any other permission
      is asked of ModelBackend as before;
    - an account the account rule closes (settings.ACCOUNT_RULE: a
      leaver's) cannot sign in, and is read as nobody by every session
      and token, from the day it closes: read in the same query too."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        model = get_user_model()
        if username is None:
            username = kwargs.get(model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            # The hasher runs anyway, as ModelBackend's does, so that the
            # time taken does not say whether the username exists.
            model().set_password(password)
            return None
        # Asked before the password is checked, whatever the password: were
        # it asked only of a right password, the time taken would tell
        # whoever guessed a leaver's password that they had it right.
        usable = self.user_can_authenticate(user)
        if user.check_password(password) and usable:
            return user
        return None

    def get_user(self, user_id):
        return self.read_user(_user_sql(), [user_id])

    def read_user(self, sql, params):
        """The user `sql` (from user_sql()) finds, with whether they hold
        HR's permission, or None (none found, or one who may not sign in)."""
        found = next(iter(get_user_model()._default_manager.raw(sql, _user_params(params))), None)
        return found if found is not None and self.user_can_authenticate(found) else None

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        if hasattr(user, "account_closed"):  # read with the user (user_sql)
            return not user.account_closed
        rule = account_rule()
        return rule is None or not rule.is_closed(user)

    def has_perm(self, user_obj, perm, obj=None):
        if perm == HR_PERMISSION and obj is None and hasattr(user_obj, "holds_hr_permission"):
            # ModelBackend's answer (inactive people hold nothing), from
            # what was read with the user.
            return user_obj.is_active and bool(user_obj.holds_hr_permission)
        return super().has_perm(user_obj, perm, obj)


@cache
def account_rule():
    """The module that says whether an account is closed today
    (settings.ACCOUNT_RULE, appraisals.accounts: a leaver's is), or None.
    Named by a setting so that this app, below the one that knows people,
    asks it without importing it. It offers closed_sql(user_column) ->
    (SQL, params), a condition on the user the query reads, and
    is_closed(user)."""
    path = getattr(settings, "ACCOUNT_RULE", "")
    return import_module(path) if path else None


def _account_closed(user_column):
    """The account rule's column, as SQL and its parameters."""
    rule = account_rule()
    if rule is None:
        return "FALSE", []
    return rule.closed_sql(user_column)


def _user_params(params):
    """HR's permission, today's account rule, then the query's own."""
    model = get_user_model()
    column = f"u.{connection.ops.quote_name(model._meta.pk.column)}"
    return [*HR_PERMISSION.split("."), *_account_closed(column)[1], *params]


@cache
def _user_sql():
    """A user, by id, with whether they hold HR's permission and the
    generation of their sessions (competency.sessions: a session signed in
    at an earlier one has been ended by "sign out everywhere")."""
    from competency.models import AccountSessions

    model = get_user_model()
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    sessions = AccountSessions._meta
    return user_sql(
        where=f"u.{pk} = %s",
        also=f"COALESCE(s.{quote(sessions.get_field('generation').column)}, 0) "
        "AS session_generation",
        join=f"LEFT JOIN {quote(sessions.db_table)} s "
        f"ON s.{quote(sessions.get_field('user').column)} = u.{pk}",
    )


def user_sql(*, where, also="", join=""):
    """SQL for the user (`u`) `where` finds, with whether they hold HR's
    permission as `holds_hr_permission`, whether the account rule closes
    their account today as `account_closed` (and the columns `also`
    names, from the tables `join` adds), for Backend.read_user. Written out (from
    the models' tables) because it runs on every request: the ORM took
    longer to build the same query than the database to answer it, and
    this shape is planned in a fraction of a millisecond."""
    model = get_user_model()
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, field):
        return quote(model._meta.get_field(field).column)

    closed, _ = _account_closed(f"u.{quote(model._meta.pk.column)}")
    direct = model.user_permissions.through
    member = model.groups.through
    granted = Group.permissions.through
    return (
        f"SELECT u.*, EXISTS (SELECT 1 FROM {table(Permission)} p "
        f"JOIN {table(ContentType)} c ON c.{column(ContentType, 'id')} = "
        f"p.{column(Permission, 'content_type')} "
        f"WHERE c.{column(ContentType, 'app_label')} = %s "
        f"AND p.{column(Permission, 'codename')} = %s "
        f"AND (p.{column(Permission, 'id')} IN (SELECT d.{column(direct, 'permission')} "
        f"FROM {table(direct)} d WHERE d.{column(direct, 'user')} = u.{column(model, 'id')}) "
        f"OR p.{column(Permission, 'id')} IN (SELECT g.{column(granted, 'permission')} "
        f"FROM {table(granted)} g JOIN {table(member)} m "
        f"ON m.{column(member, 'group')} = g.{column(granted, 'group')} "
        f"WHERE m.{column(member, 'user')} = u.{column(model, 'id')}))) AS holds_hr_permission, "
        f"{closed} AS account_closed"
        f"{', ' + also if also else ''} FROM {table(model)} u {join} WHERE {where}"
    )
