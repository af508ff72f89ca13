"""Incidents linked to the change that caused or fixed them: the service rules, both pages'
fragments (the desk's ticket page loads its fragment by URL name), unlinking with a
confirmation, the change-caused incident count for the change report, and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.change import selectors
from itsm.change.models import IncidentLink
from itsm.change.services import changes, incidents
from itsm.change.tests.factories import make_change
from itsm.core.errors import ValidationFailed
from itsm.core.timeline import TimelineEntry
from itsm.desk.tests.factories import ticket as make_ticket

pytestmark = pytest.mark.django_db


def test_link_and_unlink_write_both_histories(requester, customer_a):
    change = make_change(requester, title="Upgrade mail")
    incident = make_ticket(customer_a, title="Mail bounces")
    link = incidents.link_incident(change, ticket=incident, relation="caused", by=requester)
    assert list(selectors.incident_links_of_change(change, requester)) == [link]
    assert [row.change for row in selectors.incident_links_of_ticket(incident, requester)] == [
        change
    ]
    with pytest.raises(ValidationFailed) as error:
        incidents.link_incident(change, ticket=incident, relation="caused", by=requester)
    assert list(error.value.fields) == ["ticket"]
    incidents.link_incident(change, ticket=incident, relation="fixed", by=requester)
    incidents.unlink_incident(link, by=requester)
    verbs = list(
        TimelineEntry.objects.filter(object_id=incident.pk, content_type__model="ticket")
        .filter(verb__startswith="incident_")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["incident_linked", "incident_linked", "incident_unlinked"]


def test_only_incidents_are_linked(requester, customer_a):
    change = make_change(requester)
    request = make_ticket(customer_a, kind="request", title="New laptop")
    with pytest.raises(ValidationFailed) as error:
        incidents.link_incident(change, ticket=request, relation="fixed", by=requester)
    assert list(error.value.fields) == ["ticket"]
    with pytest.raises(ValidationFailed) as error:
        incidents.link_incident(
            change, ticket=make_ticket(customer_a), relation="broke", by=requester
        )
    assert list(error.value.fields) == ["relation"]


def test_caused_incident_count_of_finished_changes(requester, manager, customer_a):
    change = make_change(requester)
    for title in ("Mail bounces", "Mail slow"):
        incidents.link_incident(
            change, ticket=make_ticket(customer_a, title=title), relation="caused", by=requester
        )
    fixed = make_change(requester)
    incidents.link_incident(fixed, ticket=make_ticket(customer_a), relation="fixed", by=requester)
    now = timezone.now()
    window = {"since": now - timedelta(hours=1), "until": now + timedelta(hours=1)}
    assert selectors.caused_incident_count(user=manager, **window) == 0  # not finished yet
    changes.cancel(change, by=requester)  # cancelled changes are not finished either
    assert selectors.caused_incident_count(user=manager, **window) == 0
    from itsm.change.models import Change

    Change.objects.filter(pk=change.pk).update(status="failed", closed_at=now)
    assert selectors.caused_incident_count(user=manager, **window) == 2


def test_fragments_and_actions(client, requester, customer_a):
    change = changes.submit(make_change(requester, title="Upgrade mail"), by=requester)
    incident = make_ticket(customer_a, title="Mail bounces")
    client.force_login(requester)

    page = client.get(reverse("change:ticket_changes") + f"?ticket={incident.pk}")
    assert page.status_code == 200
    assert b'data-testid="change-link-form"' in page.content

    response = client.post(
        reverse("change:ticket_change_link"),
        {"ticket": incident.pk, "change": change.number, "relation": "caused"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket_detail", args=[incident.pk])
    link = IncidentLink.objects.get()
    assert (link.change, link.ticket_id, link.relation) == (change, incident.pk, "caused")

    page = client.get(reverse("change:change_incidents", args=[change.pk]))
    assert page.status_code == 200
    assert f'data-incident="{incident.number}"'.encode() in page.content

    bad = client.post(
        reverse("change:change_incident_link", args=[change.pk]),
        {"ticket": incident.number, "relation": "caused"},
    )
    assert bad.status_code == 302  # the refusal as a message on the change page
    assert IncidentLink.objects.count() == 1

    unlink = reverse("change:incident_unlink", args=[link.pk])
    confirm = client.post(unlink, {"back": "ticket"})
    assert confirm.status_code == 200  # asks first
    assert IncidentLink.objects.count() == 1
    done = client.post(unlink, {"back": "ticket", "confirmed": "yes"})
    assert done["Location"] == reverse("desk:ticket_detail", args=[incident.pk])
    assert not IncidentLink.objects.exists()


def test_customers_and_foreign_tickets(client, requester, customer_user, customer_a):
    incident = make_ticket(customer_a)
    client.force_login(customer_user)
    fragment = reverse("change:ticket_changes")
    assert client.get(f"{fragment}?ticket={incident.pk}").status_code == 403
    client.force_login(requester)
    assert client.get(reverse("change:ticket_changes") + "?ticket=999999").status_code == 404
    assert client.get(reverse("change:ticket_changes") + "?ticket=x").status_code == 404


def test_ticket_fragment_without_a_ticket_lists_nothing(requester, browse):
    """The ticket page names its ticket; without one the fragment is empty, not an error."""
    response = browse(requester).get(reverse("change:ticket_changes"))
    assert response.status_code == 200
    assert 'data-testid="no-changes"' in response.content.decode()
    assert (
        browse(requester).get(reverse("change:ticket_changes"), {"ticket": "x1"}).status_code == 404
    )
