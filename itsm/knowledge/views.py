"""Pages of the knowledge base: the article page (provider staff: lifecycle, versions, links,
attachments; customers: the reading page of the portal), the forms, the portal (customers'
published articles with the search box), the search page and the suggestions fragment that
the ticket forms load with htmx while a summary is typed.

Customers only ever reach published articles shown to their organisation: any other id
answers 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.errors import DomainError
from itsm.core.form_views import (
    StatusTransitionView,
    action_post,
    changed_values,
    delete_draft_post,
    error_texts,
    form_page,
    four_eyes_transitions,
    save_versioned_edit,
)
from itsm.core.generic_views import get_restricted_or_404, page, record_context, require_can
from itsm.core.uploads import read_upload_bytes
from itsm.knowledge import selectors, services
from itsm.knowledge.choices import (
    ArticleStatus,
    DocumentKind,
    LinkKind,
    Visibility,
)
from itsm.knowledge.forms import (
    ARTICLE_FORM_FIELDS,
    ArticleEditForm,
    ArticleForm,
    AttachmentForm,
    CategoryEditForm,
    CategoryForm,
    LinkForm,
    SolvedForm,
    TransitionForm,
)
from itsm.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleLink,
    Category,
    SearchDocument,
)

#: hits per kind on the search page
PAGE_HITS = 20
#: the shortest text the suggestions look for
SUGGEST_MIN_CHARS = 2


def _article_url(article) -> str:
    return reverse("knowledge:article_detail", args=[article.pk])


def _article_or_404(request, pk: int, action: str) -> Article:
    return get_restricted_or_404(
        request,
        Article,
        pk,
        action,
        queryset=selectors.articles_for(request.user),
        visible_first=True,
    )


def _link_rows(links) -> list[dict]:
    """Each link with the URL of its record (by name: an app not installed leaves it plain)."""
    from django.urls import NoReverseMatch

    names = {
        LinkKind.TICKET: "desk:ticket_detail",
        LinkKind.PROBLEM: "problems:problem_detail",
        LinkKind.KNOWN_ERROR: "problems:known_error_detail",
        LinkKind.CI: "cmdb:ci_detail",
        LinkKind.SERVICE: "catalog:service_detail",
    }
    rows = []
    for link in links:
        try:
            url = reverse(names[link.kind], args=[link.target_id])
        except (KeyError, NoReverseMatch):
            url = ""
        rows.append({"link": link, "url": url, "kind_label": LinkKind(link.kind).label})
    return rows


@login_required
def article_detail(request, pk: int):
    require_can(request.user, Article, "view")
    queryset = selectors.articles_for(request.user).select_related(
        "category", "author", "submitted_by", "reviewed_by"
    )
    article = get_object_or_404(queryset, pk=pk)
    services.record_view(article, by=request.user)
    attachments = list(selectors.attachments_for(request.user).filter(article=article))
    if not policy.sees_internal(request.user, Article):
        return render(
            request,
            "knowledge/article_read.html",
            {"article": article, "attachments": attachments},
        )
    record = record_context(request, article)
    transitions, four_eyes = four_eyes_transitions(
        article, record["transitions"], user=request.user, review_status=ArticleStatus.REVIEW
    )
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "status_choices": ArticleStatus,
            "visibility_choices": Visibility,
            "can_change": record["can_change"] and article.status != ArticleStatus.ARCHIVED,
            "transitions": transitions,
            "four_eyes": four_eyes,
            "customers": list(article.customers.order_by("name")),
            "links": _link_rows(selectors.links_for(request.user, article)),
            "versions": list(selectors.versions_for(request.user, article)[:20]),
            "attachments": attachments,
            "link_form": LinkForm(),
            "can_delete": article.status == ArticleStatus.DRAFT
            and article.published_at is None
            and policy.can(request.user, Article, "delete"),
        },
    )


@login_required
def article_create(request):
    require_can(request.user, Article, "add")
    form = ArticleForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        return services.create_article(
            by=request.user,
            customers=list(data["customers"]),
            **{name: data[name] for name in ARTICLE_FORM_FIELDS},
        )

    return form_page(
        request,
        form,
        save,
        success=_("Article created as a draft."),
        next_url=_article_url,
        heading=_("New article"),
        cancel_url=reverse("knowledge:article_list"),
        template="knowledge/article_form.html",
        context={"article": None},
    )


@login_required
def article_edit(request, pk: int):
    article = _article_or_404(request, pk, "change")
    form = ArticleEditForm(
        request.POST or None,
        instance=article,
        user=request.user,
        initial={"version": article.version},
    )

    return form_page(
        request,
        form,
        lambda: save_versioned_edit(
            form,
            model=Article,
            pk=pk,
            update=services.update_article,
            by=request.user,
            names=ARTICLE_FORM_FIELDS,
            related={"customers": "customers"},
        ),
        success=_("Article saved."),
        next_url=_article_url(article),
        heading=_("Edit article: {name}").format(name=article),
        cancel_url=_article_url(article),
        template="knowledge/article_form.html",
        context={"article": article},
    )


class ArticleTransition(StatusTransitionView):
    """An article's lifecycle step (draft → review → published → archived)."""

    model = Article
    form_class = TransitionForm
    detail_url_name = "knowledge:article_detail"
    transition = staticmethod(services.transition_article)
    status_choices = ArticleStatus

    def base_queryset(self):
        return selectors.articles_for(self.request.user)


article_transition = ArticleTransition.as_view()


@login_required
@require_POST
def article_delete(request, pk: int):
    article = _article_or_404(request, pk, "delete")
    return delete_draft_post(
        request,
        article,
        lambda: services.delete_article(article, by=request.user),
        success=_("Article deleted."),
        consequence=_(
            "The draft, its links and files are deleted for good; only a timeline entry "
            "remains. A published article is archived instead."
        ),
        list_url=reverse("knowledge:article_list"),
        detail_url=_article_url(article),
    )


@login_required
@require_POST
def link_add(request, pk: int):
    article = _article_or_404(request, pk, "change")
    require_can(request.user, ArticleLink, "add")
    form = LinkForm(request.POST)
    return action_post(
        request,
        lambda: services.add_link(article, by=request.user, **form.cleaned_data),
        success=_("Link added."),
        next_url=_article_url(article),
        model=ArticleLink,
        form=form,
    )


@page(ArticleLink, action="delete")
@require_POST
def link_remove(request, pk: int):
    link = get_restricted_or_404(
        request, ArticleLink, pk, "delete", queryset=ArticleLink.objects.select_related("article")
    )
    article = _article_or_404(request, link.article_id, "change")
    return action_post(
        request,
        lambda: services.remove_link(link, by=request.user),
        success=_("Link removed."),
        next_url=_article_url(article),
        model=ArticleLink,
    )


@login_required
@require_POST
def attachment_add(request, pk: int):
    article = _article_or_404(request, pk, "change")
    require_can(request.user, ArticleAttachment, "add")
    form = AttachmentForm(request.POST, request.FILES)

    def perform():
        upload = form.cleaned_data["file"]
        return services.add_attachment(
            article,
            by=request.user,
            name=upload.name,
            content_type=getattr(upload, "content_type", ""),
            content=read_upload_bytes(upload),
        )

    return action_post(
        request,
        perform,
        success=_("File attached."),
        next_url=_article_url(article),
        model=ArticleAttachment,
        form=form,
    )


@page(ArticleAttachment)
def attachment_download(request, pk: int):
    """An article's file, as a download (through the reader's restriction: 404 otherwise),
    never rendered in our origin."""
    from urllib.parse import quote

    row = selectors.attachments_for(request.user).defer(None).filter(pk=pk).first()
    if row is None:
        raise Http404
    response = HttpResponse(bytes(row.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@page(ArticleAttachment, action="delete")
@require_POST
def attachment_remove(request, pk: int):
    attachment = get_restricted_or_404(
        request,
        ArticleAttachment,
        pk,
        "delete",
        queryset=ArticleAttachment.objects.select_related("article").defer("content"),
    )
    article = _article_or_404(request, attachment.article_id, "change")
    return action_post(
        request,
        lambda: services.remove_attachment(attachment, by=request.user),
        success=_("File removed."),
        next_url=_article_url(article),
        model=ArticleAttachment,
        confirm={
            "heading": _("Remove the file “{name}”?").format(name=attachment.name),
            "consequence": _("The file is deleted for good; the article's history keeps its name."),
            "button": _("Remove file"),
            "cancel_url": _article_url(article),
            "record": article,
        },
    )


@login_required
@require_POST
def article_helped(request, pk: int):
    article = _article_or_404(request, pk, "view")
    return action_post(
        request,
        lambda: services.record_helped(article, by=request.user),
        success=_("Thank you: your feedback is counted."),
        next_url=_article_url(article),
        model=Article,
    )


def _ticket_or_404(request, ticket_id: int):
    from itsm.desk.selectors import tickets_for

    ticket = (
        tickets_for(request.user)
        .filter(pk=ticket_id)
        .only("id", "number", "title", "customer_id")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@login_required
@require_POST
def article_solved(request, pk: int):
    """ "This solved it": the article counts as the ticket's resolution and is linked to it.
    From the suggestions (htmx: answers the fragment's confirmation) or a page."""
    article = _article_or_404(request, pk, "view")
    form = SolvedForm(request.POST)
    if not form.is_valid():
        raise Http404
    ticket = _ticket_or_404(request, form.cleaned_data["ticket"])
    if request.htmx:
        error = ""
        try:
            services.record_solution(article, by=request.user, ticket=ticket)
        except DomainError as failure:
            error = " ".join(error_texts(failure, model=Article))
        return render(
            request,
            "knowledge/_solved.html",
            {"article": article, "ticket": ticket, "error": error},
        )
    return action_post(
        request,
        lambda: services.record_solution(article, by=request.user, ticket=ticket),
        success=_("Recorded: {article} solved {ticket}.").format(
            article=article.number, ticket=ticket.number
        ),
        next_url=_article_url(article),
        model=Article,
    )


# --- portal, search, suggestions ------------------------------------------------------------


@page(Article)
def portal(request):
    """The reading room: published articles the user may read, newest first, and the search
    box (customers land here; staff see what customers see)."""
    articles = (
        selectors.published_articles_for(request.user)
        .select_related("category")
        .only("id", "number", "title", "category__name", "published_at", "helped_count")
        .order_by("-published_at", "-id")[:50]
    )
    return render(
        request,
        "knowledge/portal.html",
        {"articles": articles, "is_staff_view": policy.is_provider_staff(request.user)},
    )


@page(SearchDocument)
def search_page(request):
    """One box; the results grouped by kind (articles, known errors, problems, tickets), each
    through the user's restriction."""
    text = (request.GET.get("q") or "").strip()[:200]
    groups = []
    if text:
        for kind in DocumentKind:
            hits = selectors.search(request.user, text, kinds=[kind.value], limit=PAGE_HITS)
            if hits:
                groups.append({"kind": kind, "hits": hits})
    return render(
        request,
        "knowledge/search.html",
        {"q": text, "groups": groups, "searched": bool(text)},
    )


@page(SearchDocument)
def suggest(request):
    """The htmx fragment of suggestions for a summary being typed (``?q=``; ``&ticket=``: the
    ticket being edited, left out of the similar tickets and offered "this solved it")."""
    text = (request.GET.get("q") or request.GET.get("title") or "").strip()[:200]
    ticket = None
    ticket_param = request.GET.get("ticket") or ""
    if ticket_param.isdigit():
        from itsm.desk.selectors import tickets_for

        ticket = (
            tickets_for(request.user)
            .filter(pk=int(ticket_param))
            .only("id", "number", "title", "customer_id")
            .first()
        )
    found: dict[str, list] = {"articles": [], "tickets": []}
    if len(text) >= SUGGEST_MIN_CHARS:
        found = selectors.suggestions(request.user, text, ticket_id=ticket.pk if ticket else None)
    return render(
        request,
        "knowledge/_suggestions.html",
        {"q": text, "ticket": ticket, **found},
    )


# --- categories -----------------------------------------------------------------------------


@login_required
def category_create(request):
    require_can(request.user, Category, "add")
    form = CategoryForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: services.create_category(by=request.user, **form.cleaned_data),
        success=_("Category created."),
        next_url=reverse("knowledge:category_list"),
        heading=_("New knowledge category"),
        cancel_url=reverse("knowledge:category_list"),
    )


@login_required
def category_edit(request, pk: int):
    category = get_restricted_or_404(request, Category, pk, "change")
    form = CategoryEditForm(
        request.POST or None,
        instance=category,
        user=request.user,
        initial={"version": category.version},
    )
    return form_page(
        request,
        form,
        lambda: services.update_category(
            Category.objects.get(pk=pk),
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **changed_values(form, ("name", "parent", "description")),
        ),
        success=_("Category saved."),
        next_url=reverse("knowledge:category_list"),
        heading=_("Edit knowledge category: {name}").format(name=category),
        cancel_url=reverse("knowledge:category_list"),
    )


@login_required
@require_POST
def category_delete(request, pk: int):
    category = get_restricted_or_404(request, Category, pk, "delete")
    return action_post(
        request,
        lambda: services.delete_category(category, by=request.user),
        success=_("Category deleted."),
        next_url=reverse("knowledge:category_list"),
        model=Category,
        confirm={
            "heading": _("Delete the category “{name}”?").format(name=category.name),
            "consequence": _("The empty category is deleted for good."),
            "button": _("Delete category"),
            "cancel_url": reverse("knowledge:category_list"),
            "record": category,
        },
    )
