"""``?q=`` on CIs (``cmdb.filtersets.ci_search_q``) and the search index kept beside the CI
table (migration ``cmdb/0003``): on SQLite an FTS5 trigram table filled by triggers, which a
later migration rebuilding the CI table would drop with it; on PostgreSQL ``pg_trgm`` GIN
indexes. Both engines must find the same rows."""

import sqlite3

import pytest
from django.db import connection

from itsm.cmdb import services
from itsm.cmdb.filtersets import CI_SEARCH_TABLE, CIFilterSet
from itsm.cmdb.models import ConfigurationItem
from itsm.cmdb.tests.factories import CIFactory

pytestmark = pytest.mark.django_db


class _Request:
    def __init__(self, user):
        self.user = user


def found(user, text: str, **filters) -> set[str]:
    filterset = CIFilterSet(
        {"q": text, **filters},
        queryset=ConfigurationItem.objects.restrict(user, "view"),
        request=_Request(user),
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("name", flat=True))


@pytest.fixture
def rows(customer_a, customer_b):
    return {
        "web": CIFactory(name="Web-Portal 01", identifier="SN-AB12CD", customer=customer_a),
        "db": CIFactory(name="Payroll database", identifier="", customer=customer_b),
        "shared": CIFactory(name="Core switch", identifier="HOST-WEB-9"),
    }


def test_search_finds_a_substring_of_the_name_or_identifier_in_any_case(rows, admin_user):
    assert found(admin_user, "portal") == {"Web-Portal 01"}
    assert found(admin_user, "WEB") == {"Web-Portal 01", "Core switch"}
    assert found(admin_user, "ab12") == {"Web-Portal 01"}
    assert found(admin_user, "nothing like it") == set()


def test_search_finds_the_number_itself(rows, admin_user):
    number = rows["db"].number
    assert found(admin_user, number.lower()) == {"Payroll database"}


def test_short_text_matches_the_start_of_the_name_or_identifier(rows, admin_user):
    assert found(admin_user, "pa") == {"Payroll database"}
    assert found(admin_user, "ho") == {"Core switch"}
    assert found(admin_user, "rt") == set()  # inside "Portal": too short for a substring


def test_chinese_text_is_found_anywhere_even_when_short(rows, admin_user):
    CIFactory(name="核心交换机-01")
    CIFactory(name="接入交换机-02")
    CIFactory(name="存储阵列")
    assert found(admin_user, "交换") == {"核心交换机-01", "接入交换机-02"}
    assert found(admin_user, "阵") == {"存储阵列"}
    assert found(admin_user, "核心交换") == {"核心交换机-01"}


def test_search_keeps_the_tenancy_and_the_other_filters(rows, admin_user, customer_user):
    assert found(customer_user, "web") == {"Web-Portal 01"}
    assert found(customer_user, "payroll") == set()
    assert found(admin_user, "web", shared="true") == {"Core switch"}


def test_the_index_follows_edits_and_deletions(rows, admin_user):
    ci = rows["web"]
    services.update_ci(ci, by=admin_user, version=ci.version, name="Intranet", identifier="X-1")
    assert found(admin_user, "portal") == set()
    assert found(admin_user, "intra") == {"Intranet"}
    assert found(admin_user, "X-1") == {"Intranet"}
    ConfigurationItem.objects.filter(pk=rows["db"].pk).delete()
    assert found(admin_user, "payroll") == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 34), reason="no trigram tokenizer")
def test_sqlite_search_table_and_its_triggers_exist():
    """A migration that rebuilds the CI table on SQLite drops its triggers: it must call the
    0003 migration's ``install_sqlite_search`` again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [ConfigurationItem._meta.db_table],
        )
        triggers = {row[0] for row in cursor.fetchall()}
    assert triggers >= {f"{CI_SEARCH_TABLE}_{kind}" for kind in ("insert", "delete", "update")}
