"""Factories of CMDB records; they create rows through ``itsm.cmdb.services``."""

from __future__ import annotations

import factory

from itsm.cmdb import services
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.core.testing.factories import ServiceFactory


class CIFactory(ServiceFactory):
    """A CI of the built-in class ``application`` (pass ``ci_class=get_class("…")``)."""

    class Meta:
        model = ConfigurationItem

    name = factory.Sequence(lambda n: f"App {n}")
    ci_class = factory.LazyFunction(lambda: services.get_class("application"))
    by = None

    @classmethod
    def _service(cls, **kwargs):
        return services.create_ci(**kwargs)


class RelationFactory(ServiceFactory):
    class Meta:
        model = Relation

    source = factory.SubFactory(CIFactory)
    target = factory.SubFactory(
        CIFactory, ci_class=factory.LazyFunction(lambda: services.get_class("virtual_machine"))
    )
    type = factory.LazyFunction(lambda: services.get_relation_type("runs_on"))
    by = None

    @classmethod
    def _service(cls, **kwargs):
        return services.create_relation(**kwargs)
