import factory

from itsm.core.testing.factories import CustomerFactory, ServiceFactory
from itsm.core.testing.sample import services
from itsm.core.testing.sample.models import SampleTicket


class SampleTicketFactory(ServiceFactory):
    class Meta:
        model = SampleTicket

    title = factory.Sequence(lambda n: f"Printer {n} is jammed")
    customer = factory.SubFactory(CustomerFactory)

    @classmethod
    def _service(cls, **kwargs):
        return services.create_sample_ticket(**kwargs)
