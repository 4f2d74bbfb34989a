"""Rows written once through the services, written again by each test that
wants them.

The organisation the appraisal and API tests share is made through the
services (a profile published with its catalogue, six people with their
accounts): 128 queries and the work of publishing, for every test that used
it. A `Recording` runs such a build once, inside a transaction the caller
rolls back, and keeps every row the build inserted. `replay()` inserts those
rows again (one insert a table, about 40 queries in all) inside the current
test's transaction, with their times moved on as if the build had just run:
a test starts from the rows it would have built and, like any test, rolls
back to what it had before. Nothing is left in the database between tests, so a test that does
not ask for the rows never sees them, and a flushed database (a
transactional test's) loses nothing it needs.

Rows the build only points at, without writing them (the framework each test
makes for itself, the groups the migrations make), have other ids in each
test: they are found again by what names them (EXTERNAL). A build that
changes a row it did not insert, or points at a row nobody can find again,
is refused when it is recorded, not discovered by a test later.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from competency.models import Framework, Level

# What names a row the builds point at but do not write: (the key read from
# the row while recording, the ids of the rows with such keys in a test's
# database, by key).
EXTERNAL = {
    # The migrations' groups: the cast puts them back before a replay when a
    # transactional test's flush has taken them.
    Group: (
        lambda group: group.name,
        lambda names: dict(Group.objects.filter(name__in=names).values_list("name", "pk")),
    ),
    Framework: (
        lambda framework: framework.slug,
        lambda slugs: dict(Framework.objects.filter(slug__in=slugs).values_list("slug", "pk")),
    ),
    Level: (
        lambda level: (level.framework.slug, level.rank),
        lambda keys: {
            (slug, rank): pk
            for slug, rank, pk in Level.objects.filter(
                framework__slug__in={slug for slug, _ in keys}
            ).values_list("framework__slug", "rank", "pk")
        },
    ),
    ContentType: (
        lambda content_type: content_type.natural_key(),
        lambda keys: {key: ContentType.objects.get_by_natural_key(*key).pk for key in keys},
    ),
}


# The recorded rows' ids start here, far above any id a test hands out on
# its own: rows a test makes before a replay (an admin user, say) never hold
# one of them. SQLite hands ids out again after each rollback, and
# PostgreSQL after a flush that resets its sequences.
FIRST_ID = 1_000_001


def start_ids_high():
    """From here on in this transaction, every table's next id is FIRST_ID.
    Call it once, before the builds to record."""
    with connection.cursor() as cursor:
        for model in _tables():
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField):
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                    [connection.ops.quote_name(table), pk.column, FIRST_ID],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, FIRST_ID - 1]
                )
            else:
                raise NotImplementedError(connection.vendor)


def _tables():
    """Every model with a table of its own, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _columns(model):
    # A generated column is the database's to compute, as on any insert.
    return [field for field in model._meta.concrete_fields if not field.generated]


def _ids(model):
    return set(model._base_manager.values_list("pk", flat=True))


def _links(model):
    """The model's foreign keys (one-to-one included): (attname, the model
    they point at)."""
    return [
        (field.attname, field.related_model._meta.concrete_model)
        for field in _columns(model)
        if field.many_to_one or field.one_to_one
    ]


def _in_insert_order(rows):
    """The recorded models, each after the models its rows point at (some
    triggers read the rows a new row points at, so they must be there)."""
    ordered, placed = [], set()

    def place(model, seen=()):
        if model in placed or model in seen:
            return
        for _, target in _links(model):
            if target in rows and target is not model:
                place(target, (*seen, model))
        placed.add(model)
        ordered.append(model)

    for model in rows:
        place(model)
    return ordered


@dataclass
class Recording:
    """What one build inserted, by model; what it pointed at outside
    itself; and what it returned, as (model, id) by name."""

    rows: dict
    external: dict
    returned: dict
    at: datetime
    built: dict = field(repr=False)

    @classmethod
    def of(cls, build, *, after=()):
        """Run `build` (which returns its rows of interest by name) and record
        what it inserted. Call it inside a transaction that is rolled back
        afterwards: the rows are kept here, not in the database. `after`:
        recordings made earlier in the same transaction, replayed before
        this one, whose rows this build may point at."""
        assert connection.in_atomic_block, "record inside a transaction that is rolled back"
        tables = _tables()
        before = {model: _ids(model) for model in tables}
        were = {
            model: list(model._base_manager.filter(pk__in=ids).order_by("pk").values())
            for model, ids in before.items()
            if ids
        }
        built = build()
        # What the build wrote is up to this moment old: a replay moves it on
        # to its own moment, never beyond (a row from the future would sort
        # after what the test then writes).
        at = timezone.now()
        new = {}
        for model in tables:
            ids = _ids(model) - before[model]
            if ids and model not in EXTERNAL:
                new[model] = ids
        for model, values in were.items():
            now = list(model._base_manager.filter(pk__in=before[model]).order_by("pk").values())
            assert now == values, f"the build changed {model.__name__} rows it did not insert"

        known = {
            (model, pk) for earlier in after for model in earlier.rows for pk in earlier.ids(model)
        }
        known |= {(model, pk) for model, ids in new.items() for pk in ids}
        rows, external = {}, {}
        for model in _in_insert_order(new):
            attnames = [column.attname for column in _columns(model)]
            rows[model] = list(
                model._base_manager.filter(pk__in=new[model]).order_by("pk").values(*attnames)
            )
            for attname, target in _links(model):
                for row in rows[model]:
                    pk = row[attname]
                    if pk is None or (target, pk) in known:
                        continue
                    assert target in EXTERNAL, (
                        f"{model.__name__}.{attname} points at a {target.__name__} the build "
                        "did not write: say in tests.recording.EXTERNAL how to find it again"
                    )
                    key_of, _ = EXTERNAL[target]
                    external[(target, pk)] = key_of(target._base_manager.get(pk=pk))
            for row in rows[model]:
                for column in _columns(model):
                    # A date is copied as it is: one that meant "today" would
                    # be yesterday's in a run that goes past midnight.
                    value = row[column.attname]
                    assert not (
                        isinstance(value, date)
                        and not isinstance(value, datetime)
                        and value == timezone.localdate()
                    ), f"{model.__name__}.{column.attname} is today's date: it would go stale"
        returned = {
            name: (type(instance)._meta.concrete_model, instance.pk)
            for name, instance in built.items()
        }
        return cls(rows=rows, external=external, returned=returned, at=at, built=built)

    def ids(self, model):
        pk = model._meta.pk.attname
        return {row[pk] for row in self.rows.get(model, ())}

    def replay(self):
        """Insert the recorded rows into the current test's database, as the
        build left them but as if it had just finished (every time moved on
        by the time since), and return what the build returned, read anew."""
        # In one transaction (a savepoint in a test's): the rows point at each
        # other in a circle (a profile at its version, the version at its
        # profile), which the foreign keys, checked at its end, allow; an
        # autocommitting transactional test checks each insert on its own.
        with transaction.atomic():
            self._insert()
        read = {}
        for model in {model for model, _ in self.returned.values()}:
            wanted = [pk for kind, pk in self.returned.values() if kind is model]
            read[model] = model._default_manager.in_bulk(wanted)
        return {name: read[model][pk] for name, (model, pk) in self.returned.items()}

    def _insert(self):
        found = self._found()
        since = timezone.now() - self.at
        for model, rows in self.rows.items():
            columns = _columns(model)
            links = _links(model)
            times = [c.attname for c in columns if isinstance(c, models.DateTimeField)]
            objects = []
            for row in rows:
                values = dict(row)
                for attname, target in links:
                    values[attname] = found.get((target, values[attname]), values[attname])
                for attname in times:
                    if values[attname] is not None:
                        values[attname] += since
                objects.append(model(**values))
            # raw: the values as recorded, not auto_now's or a default's.
            model._base_manager._insert(objects, fields=columns, raw=True)
        # The ids were the recording's: the next id each table hands out
        # must come after them (PostgreSQL's sequences; SQLite's follow
        # by themselves).
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.rows))
        if statements:
            with connection.cursor() as cursor:
                # One round trip: these are plain statements without parameters.
                cursor.execute("\n".join(statements))

    def _found(self):
        """The ids, in this test's database, of the rows the build pointed at
        without writing them, by their ids at the recording."""
        keys = {}
        for (model, pk), key in self.external.items():
            keys.setdefault(model, {})[pk] = key
        found = {}
        for model, by_pk in keys.items():
            _, find = EXTERNAL[model]
            here = find(set(by_pk.values()))
            for pk, key in by_pk.items():
                assert key in here, f"no {model.__name__} {key!r} in this test's database"
                found[(model, pk)] = here[key]
        return found
