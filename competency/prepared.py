"""Read queries whose SQL Django builds once per process, then runs again
with each request's parameters.

Building a query's SQL (the compiler's as_sql, each expression's
resolve_expression) costs far more CPU than the database takes to answer it
for the queries a page asks of one person: the header's count of what waits
for the signed-in person was ~40 M instructions of building per page, for
SQL that differs from one user and day to the next only in its parameters.

`Prepared(build)` keeps the rule where it is written, in the ORM: `build`
makes the queryset (of model rows, with select_related and annotations,
or a `values()` or `values_list()` one) from its arguments, each a user, a
row's id or a date. It is built twice per process, database
and shape, with two sets of stand-in arguments, and the two SQL texts and
parameter lists are compared: the SQL must be the same text, and each
parameter either the same in both (a constant of the rule) or one of the
arguments (an id as given, a date shifted by a fixed number of days, such
as today + 31). Anything else (a parameter that depends on an argument in
any other way) refuses to prepare, loudly, rather than guess. A call then
puts its own arguments in those places, runs the SQL on the database the
router chooses and converts the rows with Django's own converters (and
model rows with ModelIterable's loop). prefetch_related() and related
managers' querysets are refused: their extra work would not be done.

What a build may read of its arguments: a user's id and whether they are HR
(roles.is_hr); the shape of the SQL (and so the prepared copy) is one per
answer of is_hr. Nothing else of the user, and no query of its own.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

from competency.roles import HR_PERMISSION, is_hr

# Stand-in ids: within a 32-bit integer column's range (Django leaves out a
# lookup on a value out of range, which would change the SQL), and ids no
# real row has in practice. A constant equal to one would be the same in
# both builds, and so kept as a constant: the comparison tells them apart.
_IDS = (1_987_600_001, 1_987_600_003)
_DAYS = (date(1953, 3, 2), date(1967, 8, 19))


def _stand_in_user(pk, hr):
    """An unsaved user with this id whom is_hr() answers without a query:
    roles.Backend reads `holds_hr_permission`, ModelBackend (axes' backend)
    its permission cache."""
    user = get_user_model()(pk=pk, is_active=True, is_superuser=False)
    user._state.adding = False
    user.holds_hr_permission = hr
    user._perm_cache = {HR_PERMISSION} if hr else set()
    return user


def _as_day(value):
    """A date parameter as a date (SQLite's are ISO strings), else None."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _near_today(value):
    """Whether a parameter is a date or time within a few days of now."""
    day = value.date() if isinstance(value, datetime) else _as_day(value)
    return day is not None and abs((day - date.today()).days) <= 3


class Plan:
    """One prepared query: its SQL, where each argument goes in its
    parameters, and the compiler that converts its rows."""

    def __init__(self, alias, sql, slots, compiler, names, iterable):
        self.alias, self.sql, self.slots, self.compiler = alias, sql, slots, compiler
        self.names, self.iterable = names, iterable

    def params(self, args):
        params = []
        for kind, value in self.slots:
            if kind == "constant":
                params.append(value)
            elif kind == "id":
                params.append(args[value])
            else:  # a day: (argument, offset, as a string?)
                position, offset, text = value
                day = args[position] + offset
                params.append(day.isoformat() if text else day)
        return params


class Prepared:
    def __init__(self, build):
        self.build = build
        self._plans = {}

    def rows(self, *args):
        """What list(build(*args)) would give: model instances (with those
        of select_related), dicts for a values() queryset, tuples or values
        for a values_list() one. One query."""
        shape = tuple(self._shape(arg) for arg in args)
        model = self._plans.get(("model", shape))
        alias = router.db_for_read(model) if model is not None else None
        plan = self._plans.get((alias, shape))
        if plan is None:
            plan = self._prepare(shape, alias)
            alias = plan.alias
        if plan.sql is None:  # nothing can match
            return []
        values = [arg.pk if shape[n][0] == "user" else arg for n, arg in enumerate(args)]
        with connections[alias].cursor() as cursor:
            cursor.execute(plan.sql, plan.params(values))
            found = cursor.fetchall()
        compiler = plan.compiler
        if compiler.has_extra_select:
            found = [row[: compiler.col_count] for row in found]
        converted = compiler.results_iter(results=[found])
        if plan.iterable is ModelIterable:
            return _instances(compiler, alias, converted)
        if plan.iterable is ValuesIterable:
            names = plan.names
            return [dict(zip(names, row, strict=True)) for row in converted]
        if plan.iterable is FlatValuesListIterable:
            return [row[0] for row in converted]
        return [tuple(row) for row in converted]

    @staticmethod
    def _shape(arg):
        if isinstance(arg, get_user_model()):
            return ("user", is_hr(arg))
        if isinstance(arg, date) and not isinstance(arg, datetime):
            return ("day",)
        if isinstance(arg, int) and not isinstance(arg, bool):
            return ("id",)
        raise TypeError(f"a prepared query takes users, ids and dates, not {arg!r}")

    def _stand_ins(self, shape, n):
        args = []
        for position, kind in enumerate(shape):
            if kind[0] == "day":
                # A different gap between the two builds for each argument,
                # so that a shifted date says whose it is.
                args.append(_DAYS[n] + timedelta(days=n * 1000 * position))
            else:
                pk = _IDS[n] + 10 * position
                args.append(_stand_in_user(pk, kind[1]) if kind[0] == "user" else pk)
        return args

    def _compile(self, shape, n, alias):
        queryset = self.build(*self._stand_ins(shape, n))
        if queryset._iterable_class not in (
            ModelIterable,
            ValuesIterable,
            ValuesListIterable,
            FlatValuesListIterable,
        ):
            raise ImproperlyConfigured("a prepared query gives model rows, values or values_list")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            # Neither would be run nor set: a related manager's queryset
            # (obj.children.all()) and prefetch_related() are not prepared.
            raise ImproperlyConfigured("a prepared query has no prefetches or known relations")
        alias = alias or queryset.db
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        return queryset, compiler, sql, list(params), alias

    def _prepare(self, shape, alias):
        first, compiler, sql, params, alias = self._compile(shape, 0, alias)
        _, _, other_sql, other_params, _ = self._compile(shape, 1, alias)
        if sql != other_sql or len(params) != len(other_params):
            raise ImproperlyConfigured(
                "the SQL of a prepared query changes with its arguments' values"
            )
        ids = {
            (_IDS[0] + 10 * position, _IDS[1] + 10 * position): position
            for position, kind in enumerate(shape)
            if kind[0] != "day"
        }
        days = {
            1000 * position: position for position, kind in enumerate(shape) if kind[0] == "day"
        }
        slots = []
        for one, two in zip(params, other_params, strict=True):
            if type(one) is type(two) and one == two:
                if _near_today(one):
                    # The same in both builds because the build read the
                    # clock: kept, it would stay today's date for as long
                    # as the process runs.
                    raise ImproperlyConfigured(
                        f"a prepared query's date {one!r} is today's: pass the day as an argument"
                    )
                slots.append(("constant", one))
            elif (one, two) in ids:
                slots.append(("id", ids[(one, two)]))
            elif (day_one := _as_day(one)) and (day_two := _as_day(two)):
                position = days.get((day_two - _DAYS[1]).days - (day_one - _DAYS[0]).days)
                if position is None:
                    raise ImproperlyConfigured(f"a prepared query's date {one!r} is no argument's")
                offset = day_one - _DAYS[0]
                slots.append(("day", (position, offset, isinstance(one, str))))
            else:
                raise ImproperlyConfigured(
                    f"a prepared query's parameter {one!r} depends on its arguments"
                )
        query = first.query
        names = list(query.selected) if query.selected else None
        if not names:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        plan = Plan(alias, sql, slots, compiler, names, first._iterable_class)
        self._plans[("model", shape)] = first.model
        self._plans[(alias, shape)] = plan
        return plan


def _instances(compiler, alias, rows):
    """Model instances from converted rows, as Django's ModelIterable makes
    them (Django 5.2): the model's fields, those of select_related, and
    annotations."""
    klass_info = compiler.klass_info
    model = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column[0].target.attname for column in compiler.select[start:end]]
    populators = get_related_populators(klass_info, compiler.select, alias)
    annotations = compiler.annotation_col_map.items()
    found = []
    for row in rows:
        instance = model.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        found.append(instance)
    return found
