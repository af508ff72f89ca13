"""``core.writes.insert_record``: the rows ``save()`` and ``record_event`` write — the record,
its field-history row, its timeline row — column by column, in fewer statements; and the ORM's
own path whenever something this path does not replace is in play (a receiver, a skipped
history row)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import DEFERRED, signals
from django.test.utils import CaptureQueriesContext

from itsm.core import writes
from itsm.core.models import TimelineEntry
from itsm.core.numbering import next_number
from itsm.core.services import set_actor
from itsm.core.testing.sample.models import SampleTicket

POSTGRES = connection.vendor == "postgresql"
History = writes.history_model_of(SampleTicket)
#: what differs between two creates of the same values
VARIABLE = {"id", "number", "created_at", "updated_at", "history_id", "history_date", "at"}


def _ticket(customer, by, title="printer"):
    ticket = SampleTicket(title=title, customer=customer, resolution="toner\nreplaced")
    set_actor(ticket, by)
    ticket._change_reason = "CHG-000042"
    return ticket


def _rows(ticket):
    row = SampleTicket.objects.filter(pk=ticket.pk).values().get()
    history = list(History.objects.filter(id=ticket.pk).values())
    timeline = list(
        TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(SampleTicket),
            object_id=str(ticket.pk),
        ).values()
    )
    return row, history, timeline


def _ticket_events() -> int:
    content_type = ContentType.objects.get_for_model(SampleTicket)
    return TimelineEntry.objects.filter(content_type=content_type).count()


def _same(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in VARIABLE and k != "object_id"}


@pytest.fixture
def fast_writes(monkeypatch):
    """The records written by ``insert_record``'s compiled path (not by ``save()``)."""
    written: list = []
    original = writes.record._Write.__call__

    def spy(self):
        written.append(self.obj)
        return original(self)

    monkeypatch.setattr(writes.record._Write, "__call__", spy)
    return written


@pytest.mark.django_db
def test_the_rows_of_save_and_record_event(customer_a, admin_user, fast_writes):
    fast = writes.insert_record(
        _ticket(customer_a, admin_user),
        by=admin_user,
        number_prefix="SMP",
        note="opened by phone",
        data={"channel": ["phone"]},
    )
    received = []

    def receiver(sender, instance, created, **kwargs):
        received.append((instance, created))

    # a post_save receiver other code relies on: this create goes through save(), which sends it
    signals.post_save.connect(receiver, sender=SampleTicket)
    try:
        slow = writes.insert_record(
            _ticket(customer_a, admin_user),
            by=admin_user,
            number_prefix="SMP",
            note="opened by phone",
            data={"channel": ["phone"]},
        )
    finally:
        signals.post_save.disconnect(receiver, sender=SampleTicket)
    assert fast_writes == [fast]
    assert received == [(slow, True)]
    assert (fast.number, slow.number) == ("SMP-000001", "SMP-000002")

    fast_row, fast_history, fast_timeline = _rows(fast)
    slow_row, slow_history, slow_timeline = _rows(slow)
    assert _same(fast_row) == _same(slow_row)
    assert [_same(h) for h in fast_history] == [_same(h) for h in slow_history]
    assert [_same(t) for t in fast_timeline] == [_same(t) for t in slow_timeline]
    assert _same(fast_history[0]) == {
        **_same(fast_row),
        "history_change_reason": "CHG-000042",
        "history_type": "+",
        "history_user_id": admin_user.pk,
    }
    assert _same(fast_timeline[0]) == {
        "content_type_id": ContentType.objects.get_for_model(SampleTicket).pk,
        "verb": "created",
        "actor_id": admin_user.pk,
        "note": "opened by phone",
        "data": {"channel": ["phone"]},
    }
    # the saved object as save() leaves it, its values those of its row
    assert not fast._state.adding and fast._state.db == "default"
    assert (fast.pk, fast.number, fast.created_at, fast.updated_at) == (
        fast_row["id"],
        fast_row["number"],
        fast_row["created_at"],
        fast_row["updated_at"],
    )
    # the history row copies the row; the times come in the order save() gives them
    history, timeline = fast_history[0], fast_timeline[0]
    assert (history["id"], history["number"], timeline["object_id"]) == (
        fast.pk,
        fast.number,
        str(fast.pk),
    )
    assert (history["created_at"], history["updated_at"]) == (
        fast_row["created_at"],
        fast_row["updated_at"],
    )
    assert fast_row["created_at"] <= fast_row["updated_at"] <= history["history_date"]
    assert history["history_date"] <= timeline["at"]


@pytest.mark.django_db
def test_one_statement_on_postgresql(customer_a, admin_user):
    writes.insert_record(_ticket(customer_a, admin_user), by=admin_user, number_prefix="SMP")
    with CaptureQueriesContext(connection) as statements:
        writes.insert_record(_ticket(customer_a, admin_user), by=admin_user, number_prefix="SMP")
    kinds = [q["sql"].split()[0].upper() for q in statements.captured_queries]
    # inside this test's transaction: a savepoint around the write, as atomic() makes one
    if POSTGRES:
        assert kinds == ["SAVEPOINT", "WITH", "RELEASE"]
    else:  # the number, the row, its history row, its timeline row
        assert kinds == ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "INSERT", "RELEASE"]


@pytest.mark.django_db
def test_without_a_number_and_without_a_history_row(customer_a, admin_user, fast_writes):
    ticket = _ticket(customer_a, admin_user)
    ticket.number = "SMP-PRESET"
    writes.insert_record(ticket, by=admin_user, verb="imported")
    assert ticket.number == "SMP-PRESET" and fast_writes == [ticket]
    _row, history, timeline = _rows(ticket)
    assert [h["number"] for h in history] == ["SMP-PRESET"]
    assert [t["verb"] for t in timeline] == ["imported"]

    quiet = _ticket(customer_a, admin_user, title="no history")
    quiet.skip_history_when_saving = True  # simple-history's own switch: the ORM's path
    writes.insert_record(quiet, by=admin_user, number_prefix="SMP")
    assert fast_writes == [ticket]
    _row, history, timeline = _rows(quiet)
    assert (history, [t["verb"] for t in timeline]) == ([], ["created"])


@pytest.mark.django_db
def test_a_refused_row_leaves_the_callers_transaction_usable(customer_a, admin_user):
    first = writes.insert_record(_ticket(customer_a, admin_user), number_prefix="SMP")
    twin = _ticket(customer_a, admin_user)
    twin.number = first.number
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            writes.insert_record(twin, by=admin_user)
        # the write was a savepoint: the enclosing transaction goes on
        assert SampleTicket.objects.filter(number=first.number).count() == 1
    assert History.objects.count() == _ticket_events() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_is_all_or_nothing(customer_a, admin_user):
    first = writes.insert_record(_ticket(customer_a, admin_user), number_prefix="SMP")
    twin = _ticket(customer_a, admin_user)
    twin.number = first.number
    assert not connection.in_atomic_block
    with pytest.raises(IntegrityError):
        writes.insert_record(twin, by=admin_user)
    assert twin.pk is None and twin._state.adding
    assert SampleTicket.objects.count() == History.objects.count() == _ticket_events() == 1


@pytest.mark.django_db
@pytest.mark.skipif(not POSTGRES, reason="the number in the statement is PostgreSQL's")
def test_a_number_longer_than_its_width_is_written_whole(customer_a):
    next_number("WID")  # creates the prefix's sequence
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('itsm_number_wid', 999999)")
    ticket = writes.insert_record(_ticket(customer_a, None), number_prefix="WID")
    assert ticket.number == "WID-1000000"
    assert SampleTicket.objects.get(pk=ticket.pk).number == "WID-1000000"
    assert next_number("WID") == "WID-1000001"


# --- insert_rows: bulk_create's rows from a statement compiled once ----------------------------


def _messages(prefix: str, n: int):
    from django.utils import timezone

    from itsm.core.outbox.models import OutboxMessage

    at = timezone.now()
    return [
        OutboxMessage(
            key=f"{prefix}-{i}",
            channel="email",
            target=f"p{i}@example.com",
            payload={"subject": "主题 ✓", "n": i},
            next_attempt_at=at,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_insert_rows_writes_what_bulk_create_writes_and_sets_the_ids():
    from itsm.core.outbox.models import OutboxMessage

    ours = writes.insert_rows(_messages("ours", 3))
    theirs = OutboxMessage.objects.bulk_create(_messages("theirs", 3))
    assert [m.pk for m in ours] == sorted(m.pk for m in ours) and all(m.pk for m in ours)
    columns = ("channel", "target", "payload", "status", "attempts", "leased_by", "last_error")
    for mine, other in zip(ours, theirs, strict=True):
        stored = OutboxMessage.objects.values(*columns).get(pk=mine.pk)
        assert stored == OutboxMessage.objects.values(*columns).get(pk=other.pk)
        assert OutboxMessage.objects.get(pk=mine.pk).created_at is not None
        assert not mine._state.adding


@pytest.mark.django_db
def test_insert_rows_ignoring_conflicts_keeps_the_first_row_and_the_transaction():
    from itsm.core.outbox.models import OutboxMessage

    writes.insert_rows(_messages("same", 1))
    with transaction.atomic():
        again = _messages("same", 2)
        again[0].target = "changed@example.com"
        writes.insert_rows(again, ignore_conflicts=True)
        assert OutboxMessage.objects.get(key="same-0").target == "p0@example.com"
    assert OutboxMessage.objects.filter(key__startswith="same-").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        writes.insert_rows(_messages("same", 1))


@pytest.mark.django_db
def test_insert_rows_compiles_one_statement_per_call():
    with CaptureQueriesContext(connection) as captured:
        writes.insert_rows(_messages("one", 4))
    assert len(captured.captured_queries) == 1


@pytest.mark.skipif(not POSTGRES, reason="psycopg's statement cache")
def test_psycopg_keeps_the_parse_of_the_compiled_statements(db):
    """The compiled creates have more than psycopg's default 50 parameters; the limit is
    raised (a psycopg that renames the setting fails here, not silently in the benchmark)."""
    from psycopg import _queries

    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= 200
    sql = "SELECT " + ", ".join(["%s::int"] * 60)
    # the parse of server-side binding (settings: DATABASES OPTIONS), else of the client's
    server_side = connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    cache = _queries._query2pg if server_side else _queries._query2pg_client
    before = cache.cache_info()
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(sql, list(range(60)))
    after = cache.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


def test_known_related_answers_without_a_statement(admin_user):
    """A record told its just-written links reads them without a statement; a later change of
    the links forgets what it was told (Django drops a prefetched list on ``add``)."""
    from itsm.core.models import Team, User
    from itsm.core.testing.factories import get_provider

    team = Team.objects.create(code="w-team", name="W", organisation=get_provider())
    team.members.add(admin_user)
    writes.known_related(team, "members", [admin_user])
    with CaptureQueriesContext(connection) as captured:
        assert list(team.members.all()) == [admin_user]
    assert captured.captured_queries == []
    other = User.objects.create(username="w-other", organisation=get_provider())
    team.members.add(other)
    assert set(team.members.all()) == {admin_user, other}


def _answer(field, value):
    """What ``field.get_db_prep_save(value)`` returns (with its type, as psycopg's wrappers
    differ by type), or the type of the exception it raises."""
    try:
        prepared = field.get_db_prep_save(value, connection)
    except Exception as error:  # noqa: BLE001 — the field's own refusal is an answer too
        return ("raises", type(error))
    return (type(prepared), prepared)


def test_the_preparers_give_what_each_field_gives(db):
    """For every concrete field of every model, and values of the kinds a create passes (and
    some it should not), the shortcut gives exactly what the field's ``get_db_prep_save``
    gives, or leaves the value to it."""
    import datetime
    import decimal
    import uuid
    import warnings

    from django.apps import apps
    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    aware = timezone.now()
    samples = [
        None,
        "",
        "text",
        "12",
        0,
        42,
        -7,
        True,
        False,
        1.5,
        decimal.Decimal("3.25"),
        aware,
        aware.replace(tzinfo=None),
        datetime.date(2026, 12, 2),
        {"a": 1},
        [1, 2],
        uuid.UUID(int=5),
        gettext_lazy("Open"),
    ]
    checked = shortcut = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            how = writes.preparers((field,), connection.vendor)[0]
            if how[1] is None:
                continue
            for value in samples:
                checked += 1
                given = how[1](value)
                if given is writes.preparing._ASK_FIELD:
                    continue
                shortcut += 1
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    expected = _answer(field, value)
                assert (type(given), given) == expected, (model, field.name, value)
    assert shortcut > 1000 and checked > shortcut  # texts, flags, ids, integers (and times)


def test_a_stock_pre_save_is_read_as_the_attribute_and_auto_now_is_not():
    from itsm.core.models import TimelineEntry as Entry

    fields = {f.name: f for f in SampleTicket._meta.concrete_fields}
    found = writes.preparers(tuple(fields.values()), connection.vendor)
    hows = dict(zip(fields, found, strict=True))
    assert hows["title"][0] == "title" and hows["customer"][0] == "customer_id"
    auto = [f for f in SampleTicket._meta.concrete_fields if getattr(f, "auto_now", False)]
    assert auto and all(hows[f.name][0] is None for f in auto)  # pre_save sets the time
    at = Entry._meta.get_field("at")
    assert writes.preparers((at,), connection.vendor)[0][0] == "at"


# --- rows written along: one statement on PostgreSQL, the pointers to new rows filled ----------


def _organisations(prefix: str, n: int):
    from itsm.core.models import Organisation

    return [
        Organisation(code=f"{prefix}-{i}", name=f"{prefix} {i}", kind="customer") for i in range(n)
    ]


def _teams(prefix: str, organisations: list, leader=None):
    from itsm.core.models import Team

    return [
        Team(code=f"{prefix}-{i}", name=f"{prefix} {i}", organisation=o, leader=leader)
        for i, o in enumerate(organisations)
    ]


@pytest.mark.django_db
def test_rows_along_point_at_the_rows_written_with_them(admin_user):
    """Teams pointing at organisations none of which is saved, in a shuffled order, and
    messages ignoring conflicts: one statement on PostgreSQL (one per group elsewhere); every
    id set in order, every pointer at the right new row, the others kept."""
    from itsm.core.models import Team
    from itsm.core.outbox.models import OutboxMessage

    parents = _organisations("along", 3)
    teams = _teams("along", [parents[2], parents[0], parents[2], parents[1]], leader=admin_user)
    messages = _messages("along", 2)
    with CaptureQueriesContext(connection) as captured:
        written = writes.insert_rows(
            parents, along=[writes.Rows(teams), writes.Rows(messages, ignore_conflicts=True)]
        )
    assert written is parents
    assert len(captured.captured_queries) == (1 if POSTGRES else 3)
    assert all(o.pk for o in parents) and [o.pk for o in parents] == sorted(o.pk for o in parents)
    stored = dict(Team.objects.filter(code__startswith="along-").values_list("pk", "code"))
    assert stored == {team.pk: team.code for team in teams}
    for team, parent in zip(teams, [parents[2], parents[0], parents[2], parents[1]], strict=True):
        assert team.organisation_id == parent.pk and team.organisation is parent
        assert not team._state.adding
        row = Team.objects.values("organisation__code", "leader_id").get(pk=team.pk)
        assert row == {"organisation__code": parent.code, "leader_id": admin_user.pk}
    assert OutboxMessage.objects.filter(key__startswith="along-").count() == 2
    # the same shape again: the statement's text is reused, the rows are new
    more = _organisations("again", 3)
    writes.insert_rows(more, along=[writes.Rows(_teams("again", more))])
    assert set(
        Team.objects.filter(code__startswith="again-").values_list("organisation", flat=True)
    ) == {o.pk for o in more}


@pytest.mark.django_db
def test_rows_along_that_do_not_fit_are_written_one_group_after_the_other():
    """An expression as a value sends its group through ``bulk_create``: after the rows it
    points at, with their ids."""
    from django.db.models import Value
    from django.db.models.functions import Upper

    from itsm.core.models import Team

    parents = _organisations("late", 2)
    teams = _teams("late", parents)
    teams[1].name = Upper(Value("shouted"))
    writes.insert_rows(parents, along=[writes.Rows(teams)])
    rows = dict(Team.objects.filter(code__startswith="late-").values_list("code", "organisation"))
    assert rows == {"late-0": parents[0].pk, "late-1": parents[1].pk}
    assert Team.objects.get(code="late-1").name == "SHOUTED"


@pytest.mark.django_db
def test_a_record_saved_by_the_orm_still_writes_its_rows_along(admin_user, fast_writes):
    """A record the ORM saves (a receiver is connected) writes its rows along after it, with
    its id (the compiled path's one statement: ``desk/tests/test_lifecycle.py``, a ticket and
    its dispatch row)."""
    from itsm.core.models import Organisation, Team

    def receiver(**kwargs):
        pass

    signals.pre_save.connect(receiver, sender=Organisation)
    try:
        organisation = _organisations("orm", 1)[0]
        teams = _teams("orm", [organisation, organisation])
        writes.insert_record(organisation, by=admin_user, along=[writes.Rows(teams)])
    finally:
        signals.pre_save.disconnect(receiver, sender=Organisation)
    assert fast_writes == []
    assert [t.organisation_id for t in teams] == [organisation.pk] * 2
    assert set(Team.objects.filter(organisation=organisation).values_list("pk", flat=True)) == {
        t.pk for t in teams
    }


@pytest.mark.django_db
def test_a_refused_row_along_writes_nothing():
    """The rows and their rows along are all or nothing: a duplicate team code refuses the
    lot."""
    from itsm.core.models import Organisation, Team
    from itsm.core.testing.factories import get_provider

    Team.objects.create(code="taken", name="Taken", organisation=get_provider())
    organisation = _organisations("refused", 1)[0]
    teams = _teams("refused", [organisation]) + [
        Team(code="taken", name="Again", organisation=organisation)
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        writes.insert_rows([organisation], along=[writes.Rows(teams)])
    assert not Organisation.objects.filter(code="refused-0").exists()
    assert not Team.objects.filter(code="refused-0").exists()


@pytest.mark.django_db
def test_related_objects_are_checked_as_django_checks_them(customer_a, admin_user):
    """``prepare_related``: a row pointing at an object not saved is refused as ``save()`` and
    ``bulk_create`` refuse it (nothing written); one whose related object was saved after the
    assignment takes its id; a stale related object is forgotten, the id kept."""
    from itsm.core.models import Organisation, Team

    unsaved = _organisations("unsaved", 1)[0]
    with pytest.raises(ValueError, match="unsaved related object 'organisation'"):
        writes.insert_rows(_teams("unsaved", [unsaved]))
    ticket = _ticket(Organisation(code="nosave", name="No", kind="customer"), admin_user)
    with pytest.raises(ValueError, match="unsaved related object 'customer'"):
        writes.insert_record(ticket, by=admin_user)
    assert not Team.objects.filter(code="unsaved-0").exists()
    assert not SampleTicket.objects.filter(title="printer").exists()

    late = _organisations("late-saved", 1)[0]
    team = _teams("late-saved", [late])[0]  # organisation_id None: assigned before the save
    late.save()
    stale = Team(code="stale-0", name="Stale", organisation=customer_a)
    stale.organisation_id = late.pk  # the id moved on: the cached row is stale
    writes.insert_rows([team, stale])
    assert Team.objects.get(pk=team.pk).organisation_id == late.pk
    assert Team.objects.get(pk=stale.pk).organisation_id == late.pk
    assert not Team.organisation.field.is_cached(stale)
    unchanged = _teams("kept", [customer_a])[0]
    writes.insert_rows([unchanged])
    assert unchanged.organisation is customer_a


def _attributes(obj) -> dict:
    return {name: value for name, value in vars(obj).items() if name != "_state"}


@pytest.mark.django_db
def test_new_row_builds_what_the_model_builds(customer_a, admin_user):
    """``new_row(Model, **values)`` is ``Model(**values)``: the same attributes, related objects
    and state; a callable default called for each instance; a name that is not a field's
    refused by the model itself."""
    from itsm.core.models import Team
    from itsm.core.outbox.models import OutboxMessage

    cases = [
        (SampleTicket, {"title": "printer", "customer": customer_a}),
        (SampleTicket, {"title": "printer", "customer_id": customer_a.pk, "resolution": ""}),
        (Team, {"code": "t", "name": "T", "organisation": customer_a, "leader": admin_user}),
        (OutboxMessage, {"key": "k", "channel": "email", "target": "a@example.com"}),
        (SampleTicket, {"title": DEFERRED, "customer": customer_a}),  # a default left unset
    ]
    for model, values in cases:
        ours, theirs = writes.new_row(model, **values), model(**values)
        assert type(ours) is model
        assert _attributes(ours) == _attributes(theirs)
        assert vars(ours._state) == vars(theirs._state)
        assert ours.get_deferred_fields() == theirs.get_deferred_fields()
    first, second = writes.new_row(OutboxMessage, key="a"), writes.new_row(OutboxMessage, key="b")
    assert first.payload == {} and first.payload is not second.payload
    with pytest.raises(TypeError, match="unexpected keyword"):
        writes.new_row(Team, colour="red")


def test_new_row_builds_every_model_as_the_model_does(db):
    """For every model, ``new_row(Model)`` holds the attributes and state ``Model()`` holds: the
    same values, except that a callable default (a time, a fresh dictionary) is called for each
    instance — the same type then, and never the other instance's object."""
    from django.apps import apps

    checked = 0
    for model in apps.get_models():
        ours, theirs = writes.new_row(model), model()
        assert vars(ours._state) == vars(theirs._state), model
        made = {
            field.attname
            for field in model._meta.concrete_fields
            if field.has_default() and callable(field.default)
        }
        mine, others = _attributes(ours), _attributes(theirs)
        assert mine.keys() == others.keys(), model
        for name, value in mine.items():
            if name in made:
                assert type(value) is type(others[name]), (model, name)
                assert value is None or isinstance(value, (str, int)) or value is not others[name]
            else:
                assert value == others[name], (model, name)
        checked += 1
    assert checked > 100
