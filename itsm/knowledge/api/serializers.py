"""Serializers of the knowledge base API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation
from itsm.knowledge.choices import ArticleStatus, DocumentKind, LinkKind
from itsm.knowledge.models import Article, ArticleLink, Category


class KnowledgeCategorySerializer(DomainSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "display",
            "name",
            "parent",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service names a duplicate name on the field


class ArticleLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleLink
        fields = ["id", "kind", "target_id", "label"]


class KnowledgeLinkInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LinkKind.choices)
    target_id = serializers.IntegerField(min_value=1)


class ArticleSerializer(DomainSerializer):
    customers = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
    )
    links = serializers.ListField(
        child=KnowledgeLinkInputSerializer(),
        required=False,
        write_only=True,
        help_text="On create: (kind, target_id) pairs the article links to.",
    )
    transitions = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "display",
            "number",
            "title",
            "body",
            "category",
            "status",
            "visibility",
            "customers",
            "review_due",
            "source",
            "links",
            "author",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "published_at",
            "archived_at",
            "text_version",
            "view_count",
            "helped_count",
            "resolution_count",
            "transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "author",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "published_at",
            "archived_at",
            "text_version",
            "view_count",
            "helped_count",
            "resolution_count",
            "created_at",
            "updated_at",
        ]

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return []
        return [t.name for t in Article.state_machine.available(obj, user)]


class ArticleTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ArticleStatus.choices)


class KnowledgeSolvedSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1)


class KnowledgeSearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    key = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    title_html = serializers.CharField()
    snippet_html = serializers.CharField()
    state = serializers.CharField()
    rank = serializers.FloatField()
    url = serializers.CharField()
    updated_at = serializers.DateTimeField()
