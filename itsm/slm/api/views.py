"""Service level management API: agreements (with lifecycle transitions and review-schedule
generation), targets, requirements, review meetings and action items.

Writes go through ``itsm.slm.services``. Customer users see only their own SLAs (and their
targets, requirements and customer reviews); supplier contacts see their UCs; OLAs and UCs
are otherwise provider-internal. Foreign ids answer 404.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.catalog.selectors import all_services
from itsm.cmdb import services as cmdb_services
from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import ValidationFailed
from itsm.slm.api.serializers import (
    ActionItemSerializer,
    AgreementSerializer,
    AgreementTransitionSerializer,
    GenerateReviewsResultSerializer,
    GenerateReviewsSerializer,
    RequirementReviewSerializer,
    RequirementSerializer,
    ReviewMeetingSerializer,
    TargetSerializer,
)
from itsm.slm.filtersets import (
    ActionItemFilterSet,
    AgreementFilterSet,
    RequirementFilterSet,
    ReviewFilterSet,
    TargetFilterSet,
)
from itsm.slm.lists import AgreementList, RequirementList, ReviewList
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements as requirement_services
from itsm.slm.services import reviews as review_services


def _reference(request) -> str:
    """The authorising change of a DELETE: an approved change in its window."""
    value = request.query_params.get("change_reference")
    if value is None and isinstance(request.data, dict):
        value = request.data.get("change_reference")
    return cmdb_services.authorised_change(str(value or ""))


class AgreementViewSet(TransitionMixin, DomainViewSet):
    """SLAs, OLAs and UCs. ``POST …/{id}/transition/`` with ``to``: ``negotiating``, ``draft``,
    ``signed``, ``active``, ``expired`` or ``terminated``. A signed, active or expired agreement
    changes only with ``change_reference``."""

    queryset = Agreement.objects.select_related(
        "customer", "team", "supplier", "calendar"
    ).prefetch_related(
        Prefetch("services", queryset=all_services().only("id")),
        Prefetch("underpins", queryset=Agreement.objects.only("id")),
        Prefetch("underpinned_by", queryset=Agreement.objects.only("id")),
    )
    list_view = AgreementList  # ?sort= takes its list page's sortable columns
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    transition_serializer_class = AgreementTransitionSerializer

    def create_record(self, data, *, by):
        return agreement_services.create_agreement(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        kind = data.pop("kind", instance.kind)
        if kind != instance.kind:
            raise ValidationFailed(
                fields={"kind": [gettext("The kind of an agreement cannot be changed.")]}
            )
        if "services" in data:
            data["services"] = list(data["services"])
        if "underpins" in data:
            data["underpins"] = list(data["underpins"])
        instance = Agreement.objects.get(pk=instance.pk)
        agreement_services.update_agreement(
            instance, by=self.request.user, expected_version=expected_version, **data
        )
        return self.get_queryset().get(pk=instance.pk)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        obj = Agreement.objects.get(pk=obj.pk)
        agreement_services.transition_agreement(
            obj, to=to, by=self.request.user, expected_version=expected_version, note=note
        )
        return self.get_queryset().get(pk=obj.pk)

    @extend_schema(request=GenerateReviewsSerializer, responses=GenerateReviewsResultSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="generate-reviews",
        policy_action="change",
        filterset_class=None,
    )
    def generate_reviews(self, request, pk=None):
        """Plan the review meetings of seed 003 §5.2 for a year (idempotent)."""
        agreement = self.get_object()
        body = GenerateReviewsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = review_services.generate_review_schedule(
            agreement, year=body.validated_data["year"], by=request.user
        )
        return Response({"created": len(created), "meetings": [m.pk for m in created]})


class TargetViewSet(DomainViewSet):
    """Targets of agreements (service × priority × metric). Changes to a signed agreement's
    targets need ``change_reference`` (for DELETE as a query parameter)."""

    queryset = Target.objects.select_related("agreement")
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet

    def create_record(self, data, *, by):
        return agreement_services.add_target(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return agreement_services.update_target(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    @extend_schema(
        parameters=[OpenApiParameter("change_reference", str, required=False)],
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def delete_record(self, instance, *, by):
        agreement_services.delete_target(instance, by=by, change_reference=_reference(self.request))


class RequirementViewSet(DomainViewSet):
    """Customers' service requirements (R-REQ), traced to the targets that meet them.
    ``POST …/{id}/review/`` records the review (reviewed, agreed or rejected)."""

    queryset = Requirement.objects.select_related("customer", "service").prefetch_related(
        Prefetch("targets", queryset=Target.objects.only("id"))
    )
    list_view = RequirementList  # ?sort= takes its list page's sortable columns
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet

    def create_record(self, data, *, by):
        data["targets"] = list(data.get("targets", []))
        return requirement_services.create_requirement(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        if "targets" in data:
            data["targets"] = list(data["targets"])
        requirement_services.update_requirement(
            instance, by=self.request.user, expected_version=expected_version, **data
        )
        return self.get_queryset().get(pk=instance.pk)

    @extend_schema(request=RequirementReviewSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def review(self, request, pk=None):
        """Record the review of a requirement (who and when)."""
        requirement = self.get_object()
        body = RequirementReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requirement_services.review_requirement(
            requirement,
            by=request.user,
            status=body.validated_data["status"],
            note=body.validated_data["note"],
            expected_version=body.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=requirement.pk)).data)


class ReviewMeetingViewSet(DomainViewSet):
    """Review meetings (seed 003 §5.2): agenda, attendees, minutes; giving ``held_on`` marks
    the meeting held."""

    queryset = ReviewMeeting.objects.select_related("agreement", "customer").prefetch_related(
        "attendees"
    )
    list_view = ReviewList  # ?sort= takes its list page's sortable columns
    serializer_class = ReviewMeetingSerializer
    filterset_class = ReviewFilterSet

    def create_record(self, data, *, by):
        data.pop("status", None)
        data.pop("held_on", None)
        data.pop("minutes", None)
        data["attendees"] = list(data.get("attendees", []))
        return review_services.create_review(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        for fixed in ("kind", "agreement", "customer"):
            value = data.pop(fixed, getattr(instance, fixed))
            if value != getattr(instance, fixed):
                raise ValidationFailed(fields={fixed: [gettext("This field cannot be changed.")]})
        if "attendees" in data:
            data["attendees"] = list(data["attendees"])
        review_services.update_review(
            instance, by=self.request.user, expected_version=expected_version, **data
        )
        return self.get_queryset().get(pk=instance.pk)


class ActionItemViewSet(DomainViewSet):
    """Action items of review meetings (provider staff only); ``status=done`` stamps
    ``completed_at``."""

    queryset = ActionItem.objects.select_related("meeting", "owner")
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilterSet

    def create_record(self, data, *, by):
        data.pop("status", None)
        return review_services.add_action_item(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return review_services.update_action_item(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        review_services.delete_action_item(instance, by=by)
