"""FilterSets of the knowledge base, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.knowledge.choices import ArticleStatus, Visibility
from itsm.knowledge.models import Article, Category


class CategoryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = Category
        fields = ["q", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class ArticleFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("search"),
        help_text=_("The number, or text in the title."),
    )
    status = django_filters.MultipleChoiceFilter(choices=ArticleStatus.choices, label=_("status"))
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("visibility"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("category")
    )
    review_overdue = django_filters.BooleanFilter(method="overdue", label=_("review date passed"))

    class Meta:
        model = Article
        fields = ["q", "status", "visibility", "category", "review_overdue"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value))

    def overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        today = timezone.localdate()
        if value:
            return queryset.filter(review_due__lt=today)
        return queryset.filter(Q(review_due__isnull=True) | Q(review_due__gte=today))
