"""HTML pages of the sample ticket, built only from the generic views (``core.form_views``,
``core.generic_views``): they prove the create/edit/transition mechanics in tests. Mounted by
``page_urls`` (a test URLconf), not by the project's URLs."""

from __future__ import annotations

from django import forms

from itsm.core import services as core_services
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.form_views import RecordCreateView, RecordEditView, TransitionView
from itsm.core.generic_views import RecordDetailView
from itsm.core.models import Organisation
from itsm.core.testing.sample import services
from itsm.core.testing.sample.models import SampleTicket


class TicketForm(TablerFormMixin, forms.Form):
    # no max_length: the service's validation names the field (the path under test)
    title = forms.CharField(label="title")
    customer = forms.ModelChoiceField(queryset=Organisation.objects.all(), label="customer")


class TicketEditForm(TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SampleTicket
        fields = ["title"]


class TicketDetail(RecordDetailView):
    model = SampleTicket
    template_name = "sample/ticket_detail.html"


class TicketCreate(RecordCreateView):
    model = SampleTicket
    form_class = TicketForm
    detail_url_name = "sample:ticket_detail"
    list_url_name = "ui:dashboard"

    def perform(self, form):
        return services.create_sample_ticket(by=self.request.user, **form.cleaned_data)


class TicketEdit(RecordEditView):
    model = SampleTicket
    form_class = TicketEditForm
    detail_url_name = "sample:ticket_detail"

    def perform(self, form):
        self.update(form, ["title"])


class TicketTransition(TransitionView):
    model = SampleTicket
    detail_url_name = "sample:ticket_detail"

    def perform(self, obj, data):
        core_services.transition(
            obj,
            data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
        )
