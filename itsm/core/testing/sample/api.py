"""API of the sample app: a viewset is a declaration (queryset + serializer + filterset)."""

import django_filters
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from itsm.core.api.base import (
    DomainSerializer,
    DomainViewSet,
    TransitionMixin,
    TransitionSerializer,
)
from itsm.core.filtersets import FilterSet
from itsm.core.testing.sample import services
from itsm.core.testing.sample.choices import SampleStatus
from itsm.core.testing.sample.models import SampleTicket


class SampleTicketFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SampleStatus.choices)

    class Meta:
        model = SampleTicket
        fields = ["status", "customer"]


class SampleTicketSerializer(DomainSerializer):
    class Meta:
        model = SampleTicket
        fields = [
            "id",
            "display",
            "number",
            "title",
            "customer",
            "status",
            "resolution",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "status", "resolution", "created_at", "updated_at"]


class SampleTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=SampleStatus.choices)
    resolution = serializers.CharField(required=False, allow_blank=True)


class SampleTicketViewSet(TransitionMixin, DomainViewSet):
    """Sample tickets (test-only)."""

    queryset = SampleTicket.objects.select_related("customer")
    serializer_class = SampleTicketSerializer
    filterset_class = SampleTicketFilterSet
    transition_serializer_class = SampleTransitionSerializer

    def create_record(self, data, *, by):
        return services.create_sample_ticket(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_sample_ticket(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_sample_ticket(instance, by=by)


router = DefaultRouter()
router.register("tickets", SampleTicketViewSet)
urlpatterns = router.urls
