"""Fixtures of the historic import tests: the shared real exports (skipped when absent)."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"
SAMPLE = DATA / "uci_incident_event_log_sample.csv"
BPIC = DATA / "bpic2013_volvo_incidents.csv"


@pytest.fixture(autouse=True)
def _english():
    """The tests read the reasons, log lines and timeline notes the services write in the
    active language (the installation's is zh-Hans) in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def sample_bytes() -> bytes:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is absent: the shared data folder holds the real exports")
    return SAMPLE.read_bytes()


@pytest.fixture
def bpic_bytes() -> bytes:
    if not BPIC.exists():
        pytest.skip(f"{BPIC} is absent: the shared data folder holds the real exports")
    return BPIC.read_bytes()


def with_bad_states(data: bytes, lines: tuple[int, ...]) -> bytes:
    """*data* with the state of the given lines (1 = the header) set to ``-100``."""
    rows = data.decode("utf-8-sig").split("\n")
    for line in lines:
        cells = rows[line - 1].split(",")
        cells[1] = "-100"
        rows[line - 1] = ",".join(cells)
    return "\n".join(rows).encode()


def first_lines(data: bytes, count: int) -> bytes:
    return b"\n".join(data.split(b"\n")[:count]) + b"\n"
