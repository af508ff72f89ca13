from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from itsm.core import services, tokens
from itsm.core.api.base import DomainViewSet
from itsm.core.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    OrganisationSerializer,
    TeamSerializer,
    UserSerializer,
)
from itsm.core.filtersets import OrganisationFilterSet, TeamFilterSet, UserFilterSet
from itsm.core.models import ApiToken, Organisation, Team, User
from itsm.core.views import OrganisationList, TeamList, UserList


class OrganisationViewSet(DomainViewSet):
    """Provider, customer and supplier organisations."""

    queryset = Organisation.objects.all()
    list_view = OrganisationList  # ?sort= takes its list page's sortable columns
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet

    def create_record(self, data, *, by):
        return services.create_organisation(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_organisation(
            instance, by=self.request.user, expected_version=expected_version, **data
        )


class UserViewSet(DomainViewSet):
    """People. Roles are replaced as a whole on update."""

    queryset = User.objects.select_related("organisation").prefetch_related("role_assignments")
    list_view = UserList  # ?sort= takes its list page's sortable columns
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def create_record(self, data, *, by):
        roles = tuple(data.pop("roles", ()))
        return services.create_user(by=by, roles=roles, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_user(
            instance, by=self.request.user, expected_version=expected_version, **data
        )


class TeamViewSet(DomainViewSet):
    """Assignment groups of the provider."""

    queryset = Team.objects.select_related("organisation", "leader").prefetch_related("members")
    list_view = TeamList  # ?sort= takes its list page's sortable columns
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet

    def create_record(self, data, *, by):
        return services.create_team(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_team(
            instance, by=self.request.user, expected_version=expected_version, **data
        )


@extend_schema(responses=UserSerializer, operation_id="core_me_retrieve")
@api_view(["GET"])
def me(request):
    """The signed-in user."""
    return Response(UserSerializer(request.user, context={"request": request}).data)


# --- the signed-in user's API tokens ----------------------------------------------------------


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's own API tokens: list, create (the token is in the answer, once)
    and revoke (``DELETE``). Nobody sees or revokes another user's tokens (404)."""

    queryset = ApiToken.objects.none()  # for the schema; get_queryset gives the user's own
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = None
    pagination_class = None

    def _owner(self) -> User:
        """The signed-in user (``IsAuthenticated`` lets nobody else in)."""
        user = self.request.user
        if not isinstance(user, User):
            raise NotAuthenticated
        return user

    def get_queryset(self):
        return tokens.tokens_of(self._owner())

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row, text = tokens.create_token(
            request.user,
            name=body.validated_data["name"],
            days=body.validated_data["expires_in_days"],
        )
        data = ApiTokenSerializer(row).data
        data["token"] = text
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        tokens.revoke_token(instance, by=self._owner())
