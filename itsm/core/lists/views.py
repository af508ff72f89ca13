"""The one list page every module uses: :class:`RecordListView`.

A subclass declares the model, its FilterSet, its columns and a default sort; it gets:

* rows through ``policy.restrict(user, "view")`` and the FilterSet (its choices restricted to
  what the user may see); a user who may not view the model gets 403 (``staff_only``: provider
  staff only);
* sortable columns (``?sort=name`` / ``?sort=-name``; an unknown name falls back to the
  default sort) and keyset paging on (sort value, id) (``?cursor=``; a cursor the list did not
  produce answers 400);
* the user's choice of columns, kept per user and list in the session (POST ``columns``;
  POST ``reset`` restores the declared defaults); ``staff_only`` columns never reach customers;
* ``?export=csv`` / ``?export=xlsx``: every row of the filtered, sorted, restricted list with
  the chosen columns, labels not codes, times in the reader's time zone, no formula injection;
  more than ``ITSM_LIST_EXPORT_MAX_ROWS`` rows are refused with a message (narrow the filter);
  another format answers 400.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from itsm.core import exports, policy
from itsm.core.form_helpers import style_form
from itsm.core.generic_views import PolicyMixin
from itsm.core.lists.choices import read_stamps
from itsm.core.lists.columns import Column
from itsm.core.lists.paging import BadCursor, Count, Sort, capped_count, keyset_page, order
from itsm.core.lists.rendering import column_choices, filter_fields, head_cells, table_rows
from itsm.core.lists.rows import page_rows
from itsm.core.lists.widgets import LIST_FORM_RENDERER, choices_in_one_query

#: GET parameters of the list itself, never passed to the FilterSet.
LIST_PARAMS = ("sort", "cursor", "export")
EXPORT_FORMATS = ("csv", "xlsx")
SESSION_KEY = "list_columns"


def count_text(count: Count | None) -> str:
    """The count in words: 1,234 rows, More than 10,000 rows, or About 20,000 rows (the
    planner's estimate of a search, ``paging.capped_count``); "" when not counted."""
    if count is None:
        return ""
    number = number_format(count.value, force_grouping=True)
    if count.estimated:
        return _("About {count} rows").format(count=number)
    if count.capped:
        return _("More than {count} rows").format(count=number)
    return ngettext("{count} row", "{count} rows", count.value).format(count=number)


class RecordListView(PolicyMixin, TemplateView):
    """See the module docstring. Declare ``model``, ``columns``, ``filterset_class`` (or
    ``None``), ``default_sort`` (a column name or ``"id"``, ``-`` for descending), and
    optionally ``list_key`` (default ``app_label.model_name``), ``title``, ``empty_text``,
    ``table_testid``, ``page_size``; override ``base_queryset`` for joins and ``row_attrs``
    for per-row ``data-*`` attributes."""

    template_name = "ui/record_list.html"
    columns: tuple[Column, ...] = ()
    filterset_class: type | None = None
    default_sort = "-id"
    list_key = ""
    title: str | Promise = ""
    empty_text = gettext_lazy("Nothing found.")
    table_testid = "record-list"
    page_size = 50
    #: count a filter on several columns by the planner's estimate on PostgreSQL when it is
    #: above ``paging.ESTIMATE_ABOVE`` (one ``EXPLAIN`` first): for a queue of millions of rows
    #: whose usual filters match thousands (the desk's), not for small tables
    estimate_filtered_counts = False

    # --- declarations read per request ----------------------------------------------------------

    def key(self) -> str:
        return self.list_key or f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def available_columns(self) -> list[Column]:
        """The columns this user may see: ``staff_only`` ones and those named after the
        model's ``policy.internal_fields`` only for provider staff (worked out once per
        request)."""
        cached = self.__dict__.get("_available_columns")
        if cached is not None:
            return list(cached)
        user = self.request.user
        if policy.is_provider_staff(user):
            available = list(self.columns)
        else:
            internal = set(policy.internal_fields(user, self.model))
            available = [c for c in self.columns if not c.staff_only and c.name not in internal]
        self._available_columns = available
        return list(available)

    def chosen_names(self) -> list[str] | None:
        return self.request.session.get(SESSION_KEY, {}).get(self.key())

    def shown_columns(self) -> list[Column]:
        available = self.available_columns()
        chosen = self.chosen_names()
        if chosen:
            shown = [c for c in available if c.name in chosen]
            if shown:
                return shown
        return [c for c in available if c.visible] or available[:1]

    def sort(self) -> Sort:
        """``?sort=`` if it names a sortable column the user sees, else the default sort."""
        sortable = {c.name: c for c in self.available_columns() if c.sortable}
        for text in (self.request.GET.get("sort", ""), self.default_sort):
            descending = text.startswith("-")
            name = text[1:] if descending else text
            if name == "id":
                return Sort("id", None, descending)
            if name in sortable:
                return Sort(name, sortable[name].sort_expression(), descending)
        return Sort("id", None, True)

    def row_attrs(self, row) -> dict[str, object]:
        return {}

    def row_actions(self, row):
        """HTML of the buttons at the end of a row (not a column: never exported), or ``""``."""
        return ""

    # --- the rows ---------------------------------------------------------------------------------

    def filter_data(self):
        """The FilterSet's data: the query string without the list's own parameters, or
        ``None`` when nothing is filtered (an unbound FilterSet)."""
        data = self.request.GET.copy()
        for name in LIST_PARAMS:
            data.pop(name, None)
        return data or None

    def filtered_queryset(self):
        """The restricted rows through the FilterSet; ``None`` when the filter is invalid."""
        queryset = self.get_queryset()
        self.filterset = None
        if self.filterset_class is None:
            return queryset
        self.filterset = self.filterset_class(
            self.filter_data(), queryset=queryset, request=self.request
        )
        self.drop_unreachable_filters(self.filterset)  # choices: restricted by the FilterSet
        style_form(self.filterset.form)
        self.filterset.form.renderer = LIST_FORM_RENDERER  # selects written in Python
        choices_in_one_query(self.filterset.form)
        read_stamps(self.kept_choice_fields())  # the kept choices: one statement
        if self.filterset.is_bound and not self.filterset.is_valid():
            return None
        return self.filterset.qs

    def kept_choice_fields(self) -> list:
        """The model-choice fields whose kept choices (``core.lists.choices``) the page checks
        in one statement: the filter form's; a page with another form of choices (the desk
        queue's bulk actions) adds that form's."""
        return list(self.filterset.form.fields.values()) if self.filterset is not None else []

    def drop_unreachable_filters(self, filterset) -> None:
        """A filter over records the user may not see at all (e.g. internal teams for a
        customer) is not offered; one over the model's internal fields the FilterSet has
        dropped itself (``core.filtersets.drop_internal_filters``)."""
        user = self.request.user
        for name, filter_ in list(filterset.filters.items()):
            queryset = getattr(filter_, "queryset", None)
            model = getattr(queryset, "model", None)
            if model is not None and not policy.can_reach(user, model, "view"):
                del filterset.filters[name]

    def filter_errors(self) -> str:
        """The errors of the invalid filter, each after its field's label."""
        filterset = self.filterset
        if filterset is None:
            return ""
        fields = filterset.form.fields
        return "; ".join(
            f"{fields[name].label}: {' '.join(map(str, messages_))}"
            if name in fields
            else " ".join(map(str, messages_))
            for name, messages_ in filterset.errors.items()
        )

    # --- requests ---------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export", "")
        if export:
            return self.export(export)
        queryset = self.filtered_queryset()
        sort = self.sort()
        try:
            page = keyset_page(
                page_rows(queryset if queryset is not None else self.get_queryset().none()),
                request,
                sort,
                page_size=self.page_size,
            )
        except BadCursor:
            return HttpResponseBadRequest(_("The page link is not valid: open the list again."))
        count = None
        if queryset is not None:
            count = self.count_rows(queryset, page)
        return self.render_to_response(self.get_context_data(page=page, sort=sort, count=count))

    def count_rows(self, queryset, page) -> Count:
        """How many rows match, counted up to ``ITSM_LIST_COUNT_LIMIT`` (one statement, on
        every page: the page's statements do not depend on how many rows there are); a
        substring search on PostgreSQL estimated first, its estimate shown when above
        ``paging.ESTIMATE_ABOVE`` (then one ``EXPLAIN`` instead of the count); so is a filter
        on several columns when the list declares ``estimate_filtered_counts``."""
        return capped_count(
            queryset,
            settings.ITSM_LIST_COUNT_LIMIT,
            estimate=True,
            estimate_filters=self.estimate_filtered_counts,
        )

    def post(self, request, *args, **kwargs):
        """Save the user's choice of columns (``columns``) or forget it (``reset``)."""
        store = dict(request.session.get(SESSION_KEY, {}))
        names = {c.name for c in self.available_columns()}
        chosen = [name for name in request.POST.getlist("columns") if name in names]
        if "reset" in request.POST or not chosen:
            store.pop(self.key(), None)
        else:
            store[self.key()] = chosen
        request.session[SESSION_KEY] = store
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}) or (
            not target.startswith(request.path)
        ):
            target = request.path
        return HttpResponseRedirect(target)

    def export(self, kind: str):
        if kind not in EXPORT_FORMATS:
            return HttpResponseBadRequest(
                _("Unknown export format {format}: use csv or xlsx.").format(format=kind[:20])
            )
        queryset = self.filtered_queryset()
        if queryset is None:
            return HttpResponseBadRequest(
                _("The filter is not valid: {errors}").format(errors=self.filter_errors())
            )
        limit = settings.ITSM_LIST_EXPORT_MAX_ROWS
        ordered = order(queryset, self.sort())
        if ordered[: limit + 1].count() > limit:
            messages.error(
                self.request,
                _("More than {limit} rows match: narrow the filter to export them.").format(
                    limit=limit
                ),
            )
            query = self.request.GET.copy()
            query.pop("export", None)
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")
        columns = [c for c in self.shown_columns() if c.exportable]
        headers = [c.label for c in columns]
        # rows read in chunks and written to a temporary file: memory does not grow with them
        rows = ordered.iterator(chunk_size=1000)
        values = ([c.export_value(row) for c in columns] for row in rows)
        stem = f"{self.key().replace('.', '-')}-{timezone.localdate():%Y%m%d}"
        if kind == "csv":
            output = exports.csv_file(headers, values)
            content_type = exports.CSV_CONTENT_TYPE
        else:
            output = exports.xlsx_file(headers, values, sheet_name=str(self.get_title()))
            content_type = exports.XLSX_CONTENT_TYPE
        return exports.file_response(output, filename=f"{stem}.{kind}", content_type=content_type)

    # --- the page ---------------------------------------------------------------------------------

    def get_title(self):
        return self.title or self.model._meta.verbose_name_plural

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, sort, count = kwargs["page"], kwargs["sort"], kwargs.get("count")
        columns = self.shown_columns()
        shown = {c.name for c in columns}
        query = self.request.GET.copy()
        for name in LIST_PARAMS:
            query.pop(name, None)
        # the query string with a sort: the filters' part encoded once ("sort" last, as
        # QueryDict.urlencode writes it after query["sort"] = …)
        base = query.urlencode()

        def sorted_by(param: str) -> str:
            return f"{base}&{urlencode({'sort': param})}" if base else urlencode({"sort": param})

        headers = []
        for column in columns:
            link = None
            if column.sortable:
                direction = "asc"
                if sort.name == column.name and not sort.descending:
                    direction = "desc"
                link = sorted_by(("-" if direction == "desc" else "") + column.name)
            headers.append(
                {
                    "column": column,
                    "sort_query": link,
                    "sorted": (
                        ("desc" if sort.descending else "asc") if sort.name == column.name else ""
                    ),
                }
            )
        body, has_actions = table_rows(
            page.rows, columns, row_attrs=self.row_attrs, row_actions=self.row_actions
        )
        choices = [(c, c.name in shown) for c in self.available_columns()]
        export_query = base if sort.param == self.default_sort else sorted_by(sort.param)
        context.update(
            {
                "list": {
                    "title": self.get_title(),
                    "headers": headers,
                    "head": head_cells(headers),
                    "body": body,
                    "has_actions": has_actions,
                    "columns": choices,
                    "column_choices": column_choices(choices),
                    "filter_fields": (
                        partial(filter_fields, self.filterset.form) if self.filterset else ""
                    ),
                    "page": page,
                    "sort": sort,
                    "empty_text": self.empty_text,
                    "testid": self.table_testid,
                    "export_query": export_query,
                    "count": count,
                    "count_text": count_text(count),
                },
                "page": page,
                "object_list": page.rows,
                "filterset": self.filterset,
                "list_sort": sort.param if sort.param != self.default_sort else "",
            }
        )
        return context
