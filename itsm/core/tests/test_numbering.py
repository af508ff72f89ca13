"""Human numbering (X-04): unique under concurrency; gap-free on SQLite (a rollback gives the
number back), with gaps on PostgreSQL (a sequence per prefix: concurrent creators never wait,
a rolled-back create burns its number)."""

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from itsm.core.models import NumberSequence
from itsm.core.numbering import PREFIXES, next_number
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="sequences are PostgreSQL's"
)


@pytest.mark.django_db
def test_numbers_count_up_per_prefix():
    assert [next_number("TST") for _ in range(3)] == ["TST-000001", "TST-000002", "TST-000003"]
    assert next_number("OTH") == "OTH-000001"
    assert next_number("TST", width=3) == "TST-004"


@pytest.mark.parametrize("prefix", ["", "inc", "IN-C", "IN C"])
def test_bad_prefix_is_refused(prefix):
    with pytest.raises(ValueError):
        next_number(prefix)


def test_prefixes_are_distinct():
    assert len(set(PREFIXES.values())) == len(PREFIXES)


@pytest.mark.django_db
def test_one_statement_per_number():
    next_number("ONE")  # the first use may create the prefix's row or sequence
    with CaptureQueriesContext(connection) as queries:
        assert next_number("ONE") == "ONE-000002"
    assert len(queries.captured_queries) == 1, queries.captured_queries


@pytest.mark.django_db
def test_rolled_back_creation(customer_a):
    """SQLite gives a rolled-back number back; PostgreSQL's sequence burns it (a gap)."""
    first = create_sample_ticket(title="one", customer=customer_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = create_sample_ticket(title="two", customer=customer_a)
        assert lost.number == "SMP-000002"
        raise RuntimeError("the caller's transaction fails after the number was taken")
    third = create_sample_ticket(title="three", customer=customer_a)
    expected = "SMP-000003" if connection.vendor == "postgresql" else "SMP-000002"
    assert (first.number, third.number) == ("SMP-000001", expected)
    assert list(SampleTicket.objects.order_by("number").values_list("number", flat=True)) == [
        "SMP-000001",
        expected,
    ]


@postgres_only
@pytest.mark.django_db
def test_a_new_sequence_starts_after_the_counter_row():
    """Numbers handed out by the counter row before the sequences existed are not reused."""
    NumberSequence.objects.create(prefix="OLD", last_value=41)
    assert next_number("OLD") == "OLD-000042"
    assert next_number("OLD") == "OLD-000043"


@postgres_only
@pytest.mark.django_db
def test_migration_creates_sequences_that_continue_the_counter_rows():
    migration = importlib.import_module("itsm.core.migrations.0004_number_sequences")
    NumberSequence.objects.create(prefix="MIG", last_value=7)

    class Editor:  # what the migration's function reads of a schema editor
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.forwards(django_apps, editor)
    NumberSequence.objects.filter(prefix="MIG").update(last_value=0)  # the sequence now counts
    assert next_number("MIG") == "MIG-000008"


THREADS = 8
PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_and_gap_free():
    """8 threads, each with its own database connection, take 25 numbers each (on PostgreSQL
    all of them at once the first time: the sequence's concurrent creation is handled)."""
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def take():
        try:
            start.wait(timeout=30)
            mine = [next_number("CNC") for _ in range(PER_THREAD)]
            with lock:
                numbers.extend(mine)
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    values = sorted(int(n.removeprefix("CNC-")) for n in numbers)
    assert values == list(range(1, THREADS * PER_THREAD + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_with_rollbacks(customer_a):
    """Creations in several threads, every third one rolled back: committed numbers have no
    duplicate, and no gap on SQLite (on PostgreSQL the rolled-back ones are burnt)."""
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def create(worker: int):
        try:
            start.wait(timeout=30)
            for i in range(10):
                try:
                    with transaction.atomic():
                        create_sample_ticket(title=f"t{worker}-{i}", customer=customer_a)
                        if i % 3 == 0:
                            raise RuntimeError("rolled back")
                except RuntimeError:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(SampleTicket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 4 * 6
    if connection.vendor == "sqlite":
        assert numbers == [f"SMP-{n:06d}" for n in range(1, 4 * 6 + 1)]
    else:
        assert numbers[-1] <= f"SMP-{4 * 10:06d}"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_creator_does_not_wait_for_the_first_to_commit():
    """Two transactions on two connections: the second gets its number while the first's
    transaction, which took a number before it, is still open."""
    next_number("PAR")  # the sequence exists (committed) before the two transactions
    first_took = threading.Event()
    second_took = threading.Event()
    taken: dict[str, str] = {}
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                taken["first"] = next_number("PAR")
                first_took.set()
                # stays open until the second has its number (or gives up: the test fails)
                taken["first_saw_second"] = str(second_took.wait(timeout=60))
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_took.set()
            connection.close()

    def second():
        try:
            assert first_took.wait(timeout=60)
            with transaction.atomic():
                taken["second"] = next_number("PAR")
                second_took.set()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert taken["first_saw_second"] == "True", "the second creator waited for the first"
    assert (taken["first"], taken["second"]) == ("PAR-000002", "PAR-000003")
