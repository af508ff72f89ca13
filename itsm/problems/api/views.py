"""Problem management API: problems (with transitions and incident links), known errors (with
publishing as an article and suggested incidents), proposed problems (accept / dismiss) and
detection rules. Writes go through ``itsm.problems.services``. Problems are provider-internal:
customer users are refused (403) on every endpoint, as on the pages."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import ValidationFailed
from itsm.core.models import User
from itsm.core.policy import is_provider_staff
from itsm.desk import selectors as desk
from itsm.problems import selectors, services
from itsm.problems.api.serializers import (
    DetectionRuleSerializer,
    KnownErrorArticleSerializer,
    KnownErrorSerializer,
    KnownErrorSuggestionSerializer,
    KnownErrorTransitionSerializer,
    ProblemLinkIncidentsSerializer,
    ProblemProposalSerializer,
    ProblemSerializer,
    ProblemTransitionSerializer,
    ProblemUnlinkIncidentSerializer,
    ProposalAcceptSerializer,
    ProposalDismissSerializer,
)
from itsm.problems.filtersets import (
    DetectionRuleFilterSet,
    KnownErrorFilterSet,
    ProblemFilterSet,
    ProposalFilterSet,
)
from itsm.problems.lists import DetectionRuleList, KnownErrorList, ProblemList, ProposalList
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal
from itsm.problems.services import known_errors as known_error_services
from itsm.problems.services import problems as problem_services


def _tickets(user, ids, field: str = "incidents") -> list:
    """The tickets *ids* as *user* sees them; an unknown id names *field*."""
    ids = list(dict.fromkeys(ids))
    rows = {t.pk: t for t in desk.tickets_for(user).filter(pk__in=ids)}
    if len(rows) != len(ids):
        raise ValidationFailed(fields={field: [str(_("Unknown incident."))]})
    return [rows[pk] for pk in ids]


class ProblemViewSet(TransitionMixin, DomainViewSet):
    """Problems (问题). ``POST …/{id}/transition/`` with ``to`` (and the analysis a move needs:
    ``root_cause`` + ``workaround`` for ``known_error``, ``root_cause`` + ``fix`` for
    ``resolved``); ``…/{id}/link/`` and ``…/{id}/unlink/`` for incidents. Problems are
    cancelled, never deleted."""

    queryset = Problem.objects.all()
    list_view = ProblemList
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    transition_serializer_class = ProblemTransitionSerializer

    def get_queryset(self):
        return selectors.problems_for(self.request.user).prefetch_related(
            "cis", "incidents", "known_errors"
        )

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        data["cis"] = list(data.get("cis") or ())
        data["incidents"] = list(data.get("incidents") or ())
        return services.create_problem(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        by = self.request.user
        incidents = data.pop("incidents", None)
        if "cis" in data:
            data["cis"] = list(data["cis"])
        with transaction.atomic():
            problem_services.update_problem(
                instance, by=by, expected_version=expected_version, **data
            )
            if incidents is not None:
                wanted = {t.pk: t for t in incidents}
                current = set(instance.incidents.values_list("pk", flat=True))
                for pk in current - set(wanted):
                    ticket = desk.all_tickets().get(pk=pk)
                    services.unlink_incident(instance, ticket=ticket, by=by)
                added = [t for pk, t in wanted.items() if pk not in current]
                if added:
                    services.link_incidents(instance, tickets=added, by=by)
        return self._fresh(instance)

    def delete_record(self, instance, *, by):
        problem_services.delete_refused()

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.move_problem(
            obj, to=to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
        return self._fresh(obj)

    @extend_schema(request=ProblemLinkIncidentsSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def link(self, request, pk=None):
        """Link incidents to the problem."""
        problem = self.get_object()
        body = ProblemLinkIncidentsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tickets = _tickets(request.user, body.validated_data["incidents"])
        services.link_incidents(problem, tickets=tickets, by=request.user)
        return Response(self.get_serializer(self._fresh(problem)).data)

    @extend_schema(request=ProblemUnlinkIncidentSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def unlink(self, request, pk=None):
        """Remove one incident from the problem."""
        problem = self.get_object()
        body = ProblemUnlinkIncidentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (ticket,) = _tickets(request.user, [body.validated_data["incident"]], "incident")
        services.unlink_incident(problem, ticket=ticket, by=request.user)
        return Response(self.get_serializer(self._fresh(problem)).data)


class KnownErrorViewSet(TransitionMixin, DomainViewSet):
    """Known errors (已知错误). ``POST …/{id}/publish/`` makes a draft knowledge article of one
    (once); ``GET …/{id}/suggestions/`` lists open incidents on its CIs, service or category
    not linked yet; ``…/{id}/link/`` links incidents. ``transition`` retires / reactivates."""

    queryset = KnownError.objects.all()
    list_view = KnownErrorList
    serializer_class = KnownErrorSerializer
    filterset_class = KnownErrorFilterSet
    transition_serializer_class = KnownErrorTransitionSerializer

    def get_queryset(self):
        return selectors.known_errors_for(self.request.user).prefetch_related("cis", "incidents")

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        data["cis"] = list(data.get("cis") or ())
        data["incidents"] = list(data.get("incidents") or ())
        return services.create_known_error(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        data.pop("problem", None)
        incidents = data.pop("incidents", None)
        if "cis" in data:
            data["cis"] = list(data["cis"])
        with transaction.atomic():
            services.update_known_error(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
            if incidents:
                known_error_services.link_incidents(
                    instance, tickets=list(incidents), by=self.request.user
                )
        return self._fresh(instance)

    def delete_record(self, instance, *, by):
        raise ValidationFailed(
            _("Known errors are not deleted; retire the known error instead."),
            code="delete_not_allowed",
        )

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.move_known_error(
            obj, to=to, by=self.request.user, note=note, expected_version=expected_version
        )
        return self._fresh(obj)

    @extend_schema(request=None, responses=KnownErrorArticleSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def publish(self, request, pk=None):
        """Publish the known error as a draft, internal knowledge article (once)."""
        known_error = self.get_object()
        article = services.publish_article(known_error, by=request.user)
        data = {
            "id": article.pk,
            "number": getattr(article, "number", ""),
            "known_error": self.get_serializer(self._fresh(known_error)).data,
        }
        return Response(data, status=201)

    @extend_schema(request=ProblemLinkIncidentsSerializer, responses=KnownErrorSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def link(self, request, pk=None):
        """Link incidents that match the known error."""
        known_error = self.get_object()
        body = ProblemLinkIncidentsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tickets = _tickets(request.user, body.validated_data["incidents"])
        known_error_services.link_incidents(known_error, tickets=tickets, by=request.user)
        return Response(self.get_serializer(self._fresh(known_error)).data)

    @extend_schema(responses=KnownErrorSuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def suggestions(self, request, pk=None):
        """Open incidents on the known error's CIs, service or category, not linked yet."""
        known_error = self.get_object()
        rows = selectors.suggested_incidents(known_error, request.user)
        return Response(KnownErrorSuggestionSerializer(rows, many=True).data)


class ProposalViewSet(DomainViewSet):
    """Problems proposed by the detection (read-only) and the problem manager's decision:
    ``POST …/{id}/accept/`` creates the problem with the incidents linked (answers the
    problem), ``POST …/{id}/dismiss/`` dismisses it (remembered)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = ProblemProposal.objects.all()
    list_view = ProposalList
    serializer_class = ProblemProposalSerializer
    filterset_class = ProposalFilterSet

    def get_queryset(self):
        return selectors.proposals_for(self.request.user).prefetch_related("incidents")

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    @extend_schema(request=ProposalAcceptSerializer, responses={201: ProblemSerializer})
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def accept(self, request, pk=None):
        """Accept: the problem is created with the proposal's incidents."""
        proposal = self.get_object()
        body = ProposalAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        manager = None
        if data.get("manager"):
            manager = User.objects.filter(pk=data["manager"], is_active=True).first()
            if manager is None or not is_provider_staff(manager):
                raise ValidationFailed(fields={"manager": [str(_("Unknown person."))]})
        problem = services.accept_proposal(
            proposal,
            by=request.user,
            title=data.get("title", ""),
            priority=data["priority"],
            manager=manager,
            note=data["note"],
            expected_version=data.get("version"),
        )
        problem = selectors.problems_for(request.user).get(pk=problem.pk)
        return Response(ProblemSerializer(problem, context={"request": request}).data, status=201)

    @extend_schema(request=ProposalDismissSerializer, responses=ProblemProposalSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def dismiss(self, request, pk=None):
        """Dismiss: its incidents no longer count towards a proposal on the same record."""
        proposal = self.get_object()
        body = ProposalDismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dismiss_proposal(
            proposal,
            by=request.user,
            reason=body.validated_data["reason"],
            expected_version=body.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)


class DetectionRuleViewSet(DomainViewSet):
    """Proactive detection rules: threshold incidents on one CI, service or category within
    the window make a proposal."""

    queryset = DetectionRule.objects.all()
    list_view = DetectionRuleList
    serializer_class = DetectionRuleSerializer
    filterset_class = DetectionRuleFilterSet

    def create_record(self, data, *, by):
        return services.create_rule(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_rule(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_rule(instance, by=by)
