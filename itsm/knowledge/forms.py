"""Forms of the knowledge pages. They validate input; the views hand it to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerMultipleField, bind_pickers
from itsm.knowledge.choices import LinkKind
from itsm.knowledge.models import Article, Category

ARTICLE_FORM_FIELDS = ("title", "body", "category", "visibility", "review_due", "source")


class CategoryForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["parent", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Category.objects.restrict(user, "view").order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        limit_choices(self, "parent", parents)

    def validate_unique(self):
        """Uniqueness is checked by the service, which names the field."""


class CategoryEditForm(VersionedFormMixin, CategoryForm):
    pass


class ArticleForm(TablerFormMixin, forms.ModelForm):
    customers = PickerMultipleField(
        "core.customer",
        label=_("customers"),
        required=False,
        help_text=_(
            "With visibility “Customers”: the organisations that may read the article once it "
            "is published; leave empty for every customer."
        ),
    )

    class Meta:
        model = Article
        fields = ["title", "body", "category", "visibility", "review_due", "source"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "review_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "category", Category.objects.restrict(user).order_by("name"))
        bind_pickers(self, user)
        if self.instance.pk:
            self.initial.setdefault("customers", list(self.instance.customers.all()))

    def validate_unique(self):
        """Uniqueness is checked by the service."""


class ArticleEditForm(VersionedFormMixin, ArticleForm):
    pass


class TransitionForm(forms.Form):
    to = forms.CharField()
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=LinkKind.choices)
    target_id = forms.IntegerField(label=_("record id"), min_value=1)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))


class SolvedForm(forms.Form):
    ticket = forms.IntegerField(label=_("ticket"), min_value=1)
