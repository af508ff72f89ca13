from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.core.choices import Role
from itsm.core.models import ApiToken, Organisation, Team, User


class OrganisationSerializer(DomainSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "display",
            "code",
            "name",
            "kind",
            "is_active",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_kind(self, value):
        if self.instance is not None and value != self.instance.kind:
            raise serializers.ValidationError(_("The kind of an organisation cannot change."))
        return value


class UserSerializer(DomainSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )
    password = serializers.CharField(write_only=True, required=False, min_length=8)

    class Meta:
        model = User
        fields = [
            "id",
            "display",
            "username",
            "display_name",
            "email",
            "phone",
            "organisation",
            "language",
            "is_active",
            "roles",
            "password",
            "version",
        ]
        # every user belongs to an organisation when created through the API
        extra_kwargs = {"organisation": {"required": True, "allow_null": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(instance.roles)
        return data

    def validate_organisation(self, value):
        # rows of other organisations are not choices at all (TenancySerializerMixin)
        if self.instance is not None and value != self.instance.organisation:
            raise serializers.ValidationError(_("A user cannot move to another organisation."))
        return value


class TeamSerializer(DomainSerializer):
    class Meta:
        model = Team
        fields = [
            "id",
            "display",
            "code",
            "name",
            "organisation",
            "leader",
            "members",
            "email",
            "is_active",
            "version",
        ]


class ApiTokenSerializer(serializers.ModelSerializer):
    """An API token as listed: never the token itself, only its first characters."""

    token_key = serializers.CharField(read_only=True, help_text=_("The token's first characters."))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "token_key", "created", "expiry"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text=_("What uses the token."))
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, help_text=_("Days until the token expires.")
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("The token, shown this once: send it as “Token …”.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
