"""List pages of the knowledge base on the shared record list (``itsm.core.lists``): the
articles (provider staff; customers read in the portal look, ``views.portal``) and the
category tree."""

from __future__ import annotations

import dataclasses

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.lists import Column, RecordListView
from itsm.knowledge import selectors
from itsm.knowledge.choices import ArticleStatus, Visibility
from itsm.knowledge.filtersets import ArticleFilterSet, CategoryFilterSet
from itsm.knowledge.models import Article, Category


class ArticleList(RecordListView):
    """Every article with its status for provider staff; a customer user gets the published
    articles shown to them (the internal columns left out), the portal being their usual
    way in."""

    model = Article
    filterset_class = ArticleFilterSet
    template_name = "knowledge/article_list.html"
    title = _("Knowledge articles")
    empty_text = _("No articles found.")
    table_testid = "article-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="knowledge:article_detail", sort="id"),
        Column("title", _("Title"), sort="title"),
        Column("category", _("Category"), value="category.name"),
        Column("status", _("Status"), choices=ArticleStatus, sort="status"),
        Column("visibility", _("Visibility"), choices=Visibility),
        Column("review_due", _("Review date"), sort="review_due"),
        Column("view_count", _("Views")),
        Column("helped_count", _("Helped"), visible=False),
        Column("resolution_count", _("Tickets solved"), visible=False),
        Column("updated_at", _("Updated"), sort="updated_at"),
    )

    def get_queryset(self):
        return selectors.articles_for(self.request.user).select_related("category")

    def row_attrs(self, row):
        return {"data-article": row.number}


class CategoryList(RecordListView):
    """The knowledge categories with their article counts."""

    model = Category
    staff_only = True
    filterset_class = CategoryFilterSet
    template_name = "knowledge/category_list.html"
    title = _("Knowledge categories")
    empty_text = _("No categories yet.")
    table_testid = "kb-category-table"
    default_sort = "name"
    page_size = 200
    columns = (
        Column("name", _("Name"), sort="name"),
        Column("parent", _("Parent category"), value="parent.name"),
        Column("description", _("Description")),
        Column("article_count", _("Articles")),
    )

    def available_columns(self) -> list[Column]:
        """The name leads to the category's edit page for whom may change categories (for
        the others it stays plain: the link would answer 403)."""
        columns = super().available_columns()
        if not policy.can(self.request.user, Category, "change"):
            return columns
        return [
            dataclasses.replace(c, link="knowledge:category_edit") if c.name == "name" else c
            for c in columns
        ]

    def base_queryset(self):
        return Category.objects.select_related("parent").annotate(article_count=Count("articles"))
