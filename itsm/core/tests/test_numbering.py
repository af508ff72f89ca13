"""Human numbering (X-04): unique and gap-free under concurrency, given back on rollback."""

import threading

import pytest
from django.db import connection, transaction

from itsm.core.numbering import PREFIXES, next_number
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket


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
def test_rolled_back_creation_gives_its_number_back(customer_a):
    first = create_sample_ticket(title="one", customer=customer_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = create_sample_ticket(title="two", customer=customer_a)
        assert lost.number == "SMP-000002"
        raise RuntimeError("the caller's transaction fails after the number was taken")
    third = create_sample_ticket(title="three", customer=customer_a)
    assert (first.number, third.number) == ("SMP-000001", "SMP-000002")
    assert list(SampleTicket.objects.order_by("number").values_list("number", flat=True)) == [
        "SMP-000001",
        "SMP-000002",
    ]


THREADS = 8
PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_and_gap_free():
    """8 threads, each with its own database connection, take 25 numbers each."""
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
def test_concurrent_creations_with_rollbacks_stay_gap_free(customer_a):
    """Creations in several threads, every third one rolled back: committed numbers have no
    gap and no duplicate."""
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
    assert numbers == [f"SMP-{n:06d}" for n in range(1, 4 * 6 + 1)]
