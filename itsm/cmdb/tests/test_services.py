"""CMDB services: typed attribute validation, CI writes, transitions, relation rules."""

from __future__ import annotations

import pytest

from itsm.cmdb import services
from itsm.cmdb.choices import AttributeType, CIStatus
from itsm.cmdb.models import AttributeDefinition, CIClass, ConfigurationItem, Relation, RelationType
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.errors import InvalidTransition, NotFound, ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.testing.factories import SupplierFactory, UserFactory
from itsm.core.timeline import timeline_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    return UserFactory(username="cm", organisation=provider, roles=[Role.CONFIGURATION_MANAGER])


@pytest.fixture
def typed_class(manager):
    """A class with one attribute of every type."""
    ci_class = services.create_class(code="lab", name_zh="实验", name_en="Lab", by=manager)
    specs = [
        ("s", AttributeType.STRING, {}),
        ("t", AttributeType.TEXT, {}),
        ("i", AttributeType.INTEGER, {"min_value": 1, "max_value": 64}),
        ("d", AttributeType.DECIMAL, {"min_value": "0.5"}),
        ("b", AttributeType.BOOLEAN, {}),
        ("dt", AttributeType.DATE, {}),
        ("c", AttributeType.CHOICE, {"choices": ["oracle", "mysql"]}),
        ("ip", AttributeType.IP_ADDRESS, {}),
        ("u", AttributeType.URL, {}),
        ("req", AttributeType.STRING, {"required": True}),
    ]
    for key, kind, options in specs:
        services.create_attribute(
            ci_class=ci_class, key=key, name_zh=key, name_en=key, type=kind, by=manager, **options
        )
    return ci_class


def _fields(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.fields.items()}


def test_builtin_classes_and_relation_types_exist():
    codes = set(CIClass.objects.filter(is_builtin=True).values_list("code", flat=True))
    assert codes == {
        "server",
        "virtual_machine",
        "network_device",
        "storage",
        "middleware",
        "database",
        "application",
        "business_service",
        "document",
        "agreement",
        "hardware",
    }
    assert services.get_class("agreement").is_agreement is True
    assert services.get_class("business_service").is_business_service is True
    hardware = set(CIClass.objects.filter(is_hardware=True).values_list("code", flat=True))
    assert hardware == {"server", "network_device", "storage", "hardware"}
    assert set(RelationType.objects.values_list("code", flat=True)) == {
        "runs_on",
        "depends_on",
        "connected_to",
        "part_of",
        "uses",
        "backed_up_by",
        "covers",
    }
    covers = RelationType.objects.get(code="covers")
    assert [c.code for c in covers.source_classes.all()] == ["agreement"]
    assert [c.code for c in covers.target_classes.all()] == ["business_service"]
    engine = AttributeDefinition.objects.get(ci_class__code="database", key="engine")
    assert engine.choices == ["oracle", "mysql", "postgresql", "sqlserver", "dm", "kingbase"]
    with pytest.raises(NotFound):
        services.get_class("nope")


def test_validation_reads_the_definitions_the_orm_reads(typed_class):
    """The definitions' query is compiled once per process (core.compiled): the same rows,
    decimals and JSON converted as the ORM converts them."""
    from decimal import Decimal

    from itsm.cmdb.services.attributes import _definitions, _Rule

    rows = typed_class.attribute_definitions.order_by("order", "key").values_list(*_Rule._fields)
    expected = [_Rule(*row) for row in rows]
    for _ in range(2):  # compiled by the first call (here or in an earlier test), then run
        assert _definitions(typed_class) == expected
    assert Decimal("0.5") in [rule.min_value for rule in expected]
    assert ["oracle", "mysql"] in [rule.choices for rule in expected]


def test_valid_attributes_are_cleaned(typed_class):
    cleaned = services.validate_attributes(
        typed_class,
        {
            "s": "  db01 ",
            "t": "line 1\nline 2",
            "i": "8",
            "d": "2.50",
            "b": "yes",
            "dt": "2026-03-01",
            "c": "mysql",
            "ip": "10.0.0.1",
            "u": "https://example.com/x",
            "req": "x",
        },
    )
    assert cleaned == {
        "s": "db01",
        "t": "line 1\nline 2",
        "i": 8,
        "d": 2.5,
        "b": True,
        "dt": "2026-03-01",
        "c": "mysql",
        "ip": "10.0.0.1",
        "u": "https://example.com/x",
        "req": "x",
    }
    # empty optional values are dropped
    assert services.validate_attributes(typed_class, {"req": "x", "s": "", "i": None}) == {
        "req": "x"
    }


def test_each_type_names_its_field(typed_class):
    with pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(
            typed_class,
            {
                "s": "two\nlines",
                "i": "7.5",
                "d": "abc",
                "b": "maybe",
                "dt": "31/12/2026",
                "c": "db2",
                "ip": "10.0.0.300",
                "u": "ftp://example.com",
                "bogus": 1,
            },
        )
    assert _fields(excinfo) == {
        "attributes.s": ["Enter a single line."],
        "attributes.i": ["Enter a whole number."],
        "attributes.d": ["Enter a number."],
        "attributes.b": ["Enter yes or no."],
        "attributes.dt": ["Enter a date as YYYY-MM-DD."],
        "attributes.c": ["Choose one of: oracle, mysql."],
        "attributes.ip": ["Enter a valid IPv4 or IPv6 address."],
        "attributes.u": ["Enter a valid URL (http or https)."],
        "attributes.req": ["This field is required."],
        "attributes.bogus": ["The class “Lab” has no attribute “bogus”."],
    }


def test_bounds_and_translation(typed_class):
    from django.utils import translation

    with pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(typed_class, {"req": "x", "i": 65, "d": "0.1"})
    assert _fields(excinfo) == {
        "attributes.i": ["Enter a value of at most 64."],
        "attributes.d": ["Enter a value of at least 0.5."],
    }
    with pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(typed_class, {"req": "x", "i": 0, "b": True})
    assert _fields(excinfo) == {"attributes.i": ["Enter a value of at least 1."]}
    with pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(typed_class, {"req": "x", "i": True})
    assert list(_fields(excinfo)) == ["attributes.i"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(typed_class, ["not", "a", "dict"])
    assert list(_fields(excinfo)) == ["attributes"]
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as excinfo:
        services.validate_attributes(typed_class, {})
    assert _fields(excinfo) == {"attributes.req": ["此字段为必填项。"]}


def test_attribute_definition_rules(typed_class, manager):
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_attribute(
            ci_class=typed_class, key="s", name_zh="s", name_en="s", type="string", by=manager
        )
    assert list(_fields(excinfo)) == ["key"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_attribute(
            ci_class=typed_class, key="ch", name_zh="c", name_en="c", type="choice", by=manager
        )
    assert list(_fields(excinfo)) == ["choices"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_attribute(
            ci_class=typed_class,
            key="n",
            name_zh="n",
            name_en="n",
            type="integer",
            min_value=5,
            max_value=1,
            by=manager,
        )
    assert list(_fields(excinfo)) == ["max_value"]
    ci = CIFactory(ci_class=typed_class, attributes={"req": "x", "i": 3}, by=manager)
    definition = typed_class.attribute_definitions.get(key="i")
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_attribute(definition, by=manager, type="string")
    assert list(_fields(excinfo)) == ["type"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.delete_attribute(definition, by=manager)
    assert excinfo.value.code == "attribute_in_use"
    services.update_ci(ci, by=manager, attributes={"req": "x"})
    services.delete_attribute(definition, by=manager)
    assert not typed_class.attribute_definitions.filter(key="i").exists()


def test_create_and_update_ci_record_change_reference(manager, customer_a):
    server = services.get_class("server")
    ci = services.create_ci(
        name="Host 1",
        ci_class=server,
        by=manager,
        customer=customer_a,
        identifier="host-01",
        attributes={"cpu_cores": "16", "ip": "10.1.1.1"},
        change_reference="CHG-000001",
    )
    assert ci.number.startswith("CI-")
    assert ci.status == CIStatus.PLANNED
    assert ci.attributes == {"cpu_cores": 16, "ip": "10.1.1.1"}
    services.update_ci(
        ci,
        by=manager,
        version=1,
        change_reference="CHG-000002",
        attributes={"cpu_cores": 32, "ip": "10.1.1.1"},
    )
    ci.refresh_from_db()
    assert ci.version == 2
    versions = list(ci.history.order_by("history_date", "history_id"))
    assert [
        (v.change_reference, v.history_user, v.attributes.get("cpu_cores")) for v in versions
    ] == [
        ("CHG-000001", manager, 16),
        ("CHG-000002", manager, 32),
    ]
    verbs = list(timeline_for(ci).order_by("id").values_list("verb", "note"))
    assert verbs == [("created", "CHG-000001"), ("updated", "CHG-000002")]


def test_ci_field_rules(manager, customer_a):
    server = services.get_class("server")
    CIFactory(ci_class=server, identifier="dup-01", by=manager)
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ci(
            name="Other", ci_class=server, by=manager, identifier="dup-01", supplier=customer_a
        )
    assert set(_fields(excinfo)) == {"identifier", "supplier"}
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_ci(name="", ci_class=server, by=manager)
    assert list(_fields(excinfo)) == ["name"]
    ci = CIFactory(by=manager)
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_ci(ci, by=manager, status="retired")
    assert list(_fields(excinfo)) == ["status"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_ci(ci, by=manager, number="X")
    assert list(_fields(excinfo)) == ["number"]
    # a class change re-validates the stored attributes against the new class
    db = services.get_class("database")
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_ci(ci, by=manager, ci_class=db)
    assert list(_fields(excinfo)) == ["attributes.engine"]
    services.update_ci(ci, by=manager, ci_class=db, attributes={"engine": "dm"})
    ci.refresh_from_db()
    assert (ci.ci_class.code, ci.attributes) == ("database", {"engine": "dm"})


def test_transitions(manager):
    ci = CIFactory(by=manager)
    services.transition_ci(ci, to=CIStatus.IN_USE, by=manager, change_reference="CHG-7")
    services.transition_ci(ci, to=CIStatus.MAINTENANCE, by=manager)
    services.transition_ci(ci, to=CIStatus.IN_USE, by=manager)
    services.transition_ci(ci, to=CIStatus.RETIRED, by=manager)
    ci.refresh_from_db()
    assert (ci.status, ci.version) == ("retired", 5)
    with pytest.raises(InvalidTransition):
        services.transition_ci(ci, to=CIStatus.IN_USE, by=manager)
    verbs = list(timeline_for(ci).order_by("id").values_list("verb", flat=True))
    assert verbs == ["created", "commission", "maintain", "restore", "retire"]
    first = ci.history.order_by("history_date", "history_id")[1]
    assert (first.status, first.change_reference) == ("in_use", "CHG-7")


def test_relation_rules(manager):
    app = CIFactory(by=manager, name="App")
    vm = CIFactory(by=manager, name="VM", ci_class=services.get_class("virtual_machine"))
    bs = CIFactory(by=manager, name="BS", ci_class=services.get_class("business_service"))
    runs_on = services.get_relation_type("runs_on")
    relation = services.create_relation(
        source=app, target=vm, type=runs_on, by=manager, change_reference="CHG-9"
    )
    assert (relation.source, relation.target, relation.change_reference) == (app, vm, "CHG-9")
    # duplicate refused with a clear error
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_relation(source=app, target=vm, type=runs_on, by=manager)
    assert excinfo.value.code == "duplicate"
    assert _fields(excinfo) == {"target": [f"{app} already has the relation “runs on” to {vm}."]}
    # class restrictions of the type
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_relation(source=bs, target=vm, type=runs_on, by=manager)
    assert list(_fields(excinfo)) == ["source"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_relation(source=app, target=bs, type=runs_on, by=manager)
    assert list(_fields(excinfo)) == ["target"]
    # self refused
    depends = services.get_relation_type("depends_on")
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_relation(source=app, target=app, type=depends, by=manager)
    assert _fields(excinfo) == {"target": ["A configuration item cannot be related to itself."]}
    # cycles allowed
    services.create_relation(source=vm, target=app, type=depends, by=manager)
    assert Relation.objects.count() == 2
    for ci in (app, vm):
        assert (
            TimelineEntry.objects.filter(object_id=str(ci.pk), verb="relation_added").count() == 2
        )
    # a class change that the relations do not allow is refused
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_ci(vm, by=manager, ci_class=services.get_class("document"))
    assert list(_fields(excinfo)) == ["ci_class"]
    assert ConfigurationItem.objects.get(pk=vm.pk).ci_class.code == "virtual_machine"
    services.delete_relation(relation, by=manager, change_reference="CHG-10")
    assert Relation.objects.count() == 1
    removed = TimelineEntry.objects.filter(verb="relation_removed").order_by("id")
    assert [(e.object_id, e.note, e.data["direction"]) for e in removed] == [
        (str(app.pk), "CHG-10", "out"),
        (str(vm.pk), "CHG-10", "in"),
    ]


def test_class_and_relation_type_admin(manager):
    ci_class = services.create_class(
        code="printer", name_zh="打印机", name_en="Printer", by=manager
    )
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_class(code="printer", name_zh="x", name_en="x", by=manager)
    assert list(_fields(excinfo)) == ["code"]
    services.update_class(ci_class, by=manager, version=1, name_en="Printers")
    assert CIClass.objects.get(pk=ci_class.pk).name_en == "Printers"
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_class(services.get_class("server"), by=manager, code="srv")
    assert list(_fields(excinfo)) == ["code"]
    relation_type = services.create_relation_type(
        code="prints_for",
        name_zh="打印",
        name_en="prints for",
        reverse_zh="被打印",
        reverse_en="printed by",
        source_classes=[ci_class],
        by=manager,
    )
    assert [c.code for c in relation_type.source_classes.all()] == ["printer"]
    services.update_relation_type(
        relation_type, by=manager, version=1, target_classes=[services.get_class("server")]
    )
    assert [c.code for c in relation_type.target_classes.all()] == ["server"]
    printer = CIFactory(ci_class=ci_class, by=manager)
    with pytest.raises(ValidationFailed):
        services.create_relation(
            source=printer, target=CIFactory(by=manager), type=relation_type, by=manager
        )


def test_supplier_must_be_supplier(manager):
    supplier = SupplierFactory()
    ci = CIFactory(by=manager, supplier=supplier)
    assert ci.supplier == supplier


def test_builtin_migration_reverses_and_reapplies():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("itsm.cmdb.migrations.0002_builtin_classes")
    migration.remove_builtins(apps, None)
    assert (CIClass.objects.count(), RelationType.objects.count()) == (0, 0)
    assert AttributeDefinition.objects.count() == 0
    migration.create_builtins(apps, None)
    migration.create_builtins(apps, None)  # idempotent
    assert (CIClass.objects.count(), RelationType.objects.count()) == (11, 7)
