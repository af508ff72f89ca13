"""Knowledge base API: categories, articles (with lifecycle transitions, "this helped" and
"this solved it") and the search.

Writes go through ``itsm.knowledge.services``. Customer users see only the published articles
shown to their organisation; any other id answers 404. The search answers what the user may
find (``knowledge.selectors.search``: through ``restrict()``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import ValidationFailed
from itsm.knowledge import selectors, services
from itsm.knowledge.api.serializers import (
    ArticleSerializer,
    ArticleTransitionSerializer,
    KnowledgeCategorySerializer,
    KnowledgeSearchHitSerializer,
    KnowledgeSolvedSerializer,
)
from itsm.knowledge.choices import DocumentKind
from itsm.knowledge.filtersets import ArticleFilterSet, CategoryFilterSet
from itsm.knowledge.lists import ArticleList, CategoryList
from itsm.knowledge.models import Article, Category, SearchDocument


class CategoryViewSet(DomainViewSet):
    """Knowledge categories (a tree through ``parent``)."""

    queryset = Category.objects.all()
    list_view = CategoryList
    serializer_class = KnowledgeCategorySerializer
    filterset_class = CategoryFilterSet

    def create_record(self, data, *, by):
        return services.create_category(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_category(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_category(instance, by=by)


class ArticleViewSet(TransitionMixin, DomainViewSet):
    """Knowledge articles. ``POST …/{id}/transition/`` with ``to``: ``review`` (submit),
    ``published`` (publish), ``draft`` (return to draft with a note, or restore an archived
    article) or ``archived``."""

    queryset = Article.objects.select_related("category").prefetch_related("customers")
    list_view = ArticleList
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    transition_serializer_class = ArticleTransitionSerializer

    def get_queryset(self):
        return (
            selectors.articles_for(self.request.user)
            .select_related("category")
            .prefetch_related("customers")
        )

    def create_record(self, data, *, by):
        links = [(link["kind"], link["target_id"]) for link in data.pop("links", [])]
        customers = data.pop("customers", [])
        return services.create_article(by=by, links=links, customers=customers, **data)

    def update_fields(self, instance, data, *, expected_version):
        data.pop("links", None)
        services.update_article(
            instance, by=self.request.user, expected_version=expected_version, **data
        )
        return self.get_queryset().get(pk=instance.pk)

    def delete_record(self, instance, *, by):
        services.delete_article(instance, by=by)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.transition_article(
            obj, to=to, by=self.request.user, note=note, expected_version=expected_version
        )
        return self.get_queryset().get(pk=obj.pk)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"], policy_action="view")
    def helped(self, request, pk=None):
        """ "This helped": counted with the reader's organisation."""
        article = self.get_object()
        services.record_helped(article, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=article.pk)).data)

    @extend_schema(request=KnowledgeSolvedSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"], policy_action="view")
    def solved(self, request, pk=None):
        """ "This solved it" for a ticket the user may see: counted once per ticket, and the
        article is linked to the ticket."""
        from itsm.desk.selectors import tickets_for

        article = self.get_object()
        body = KnowledgeSolvedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = tickets_for(request.user).filter(pk=body.validated_data["ticket"]).first()
        if ticket is None:
            raise ValidationFailed(fields={"ticket": [str(_("Unknown ticket."))]})
        services.record_solution(article, by=request.user, ticket=ticket)
        return Response(self.get_serializer(self.get_queryset().get(pk=article.pk)).data)


class SearchView(APIView):
    """``GET /api/knowledge/search/?q=…[&kind=article&kind=ticket][&limit=20]``: the best hits
    over articles, known errors, problems and tickets the user may find, ranked, with the
    query's words marked in ``title_html`` and ``snippet_html`` (escaped HTML)."""

    permission_classes = [IsAuthenticated]
    #: what the search reads (the route walk and the policy: every signed-in user may search)
    policy_model = SearchDocument

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="the words to find (none: no hits)"),
            OpenApiParameter(
                "kind", str, many=True, enum=DocumentKind.values, description="kinds to search"
            ),
            OpenApiParameter("limit", int, description="at most this many hits (1–100)"),
        ],
        responses=KnowledgeSearchHitSerializer(many=True),
    )
    def get(self, request):
        text = (request.query_params.get("q") or "").strip()
        if len(text) > 200:
            raise ValidationFailed(fields={"q": [str(_("At most 200 characters."))]})
        kinds = request.query_params.getlist("kind") or None
        if kinds:
            wrong = [k for k in kinds if k not in DocumentKind.values]
            if wrong:
                raise ValidationFailed(
                    fields={
                        "kind": [
                            str(_("Unknown kind: {kinds}. Allowed: {allowed}.")).format(
                                kinds=", ".join(wrong), allowed=", ".join(DocumentKind.values)
                            )
                        ]
                    }
                )
        limit_text = request.query_params.get("limit") or "20"
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
            raise ValidationFailed(fields={"limit": [str(_("A whole number from 1 to 100."))]})
        hits = selectors.search(request.user, text, kinds=kinds, limit=int(limit_text))
        data = [
            {
                "kind": hit.kind,
                "key": hit.key,
                "number": hit.number,
                "title": hit.title,
                "title_html": str(hit.title_html),
                "snippet_html": str(hit.snippet_html),
                "state": hit.state,
                "rank": hit.rank,
                "url": hit.url,
                "updated_at": hit.updated_at,
            }
            for hit in hits
        ]
        return Response(
            KnowledgeSearchHitSerializer(data, many=True).data, status=status.HTTP_200_OK
        )
