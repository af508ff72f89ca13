"""Pages of the improvement register: list, detail (effect with the KPI's unit, four eyes),
create and edit with pickers, the lifecycle through the page, the review actions page and
tenancy."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from itsm.improvement import services
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.models import Item
from itsm.improvement.tests.factories import approved_item, make_item, review_action

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_list_and_detail_render_in_both_languages(process_owner, customer_a, browse, language):
    item = make_item(process_owner, customer=customer_a, kpi_id="improvement_on_time")
    client = browse(process_owner, language)
    listing = client.get(reverse("improvement:item_list"))
    assert listing.status_code == 200
    assert item.number in listing.content.decode()
    page = client.get(reverse("improvement:item_detail", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="proposed"' in html
    assert 'data-kpi="improvement_on_time"' in html
    assert 'data-transition="plan"' in html
    assert 'data-phase="plan"' in html


def test_create_with_pickers_and_bad_input(process_owner, customer_a, browse):
    client = browse(process_owner)
    url = reverse("improvement:item_create")
    bad = client.post(url, {"source": "ad_hoc", "title": "", "customer": "nobody"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) >= {"title", "customer"}
    response = client.post(
        url,
        {
            "source": "audit",
            "source_key": "AUD-7",
            "title": "Runbooks out of date",
            "goal": "All runbooks reviewed yearly",
            "owner": process_owner.username,
            "customer": customer_a.code,
            "plan": "Review each runbook.",
            "due_date": "2026-12-20",
            "kpi_id": "improvement_on_time",
            "before_start": "2026-08-01",
            "before_end": "2026-08-31",
            "after_start": "2026-10-01",
            "after_end": "2026-10-31",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    item = Item.objects.get()
    assert (item.source_key, item.owner, item.customer) == ("AUD-7", process_owner, customer_a)
    assert item.before_end == datetime.date(2026, 8, 31)
    # the same source twice: a translated error on the form, no second item
    again = client.post(url, {"source": "audit", "source_key": "AUD-7", "title": "Again"})
    assert again.status_code == 200
    assert "source_key" in again.context["form"].errors
    assert Item.objects.count() == 1


def test_lifecycle_through_the_pages(process_owner, quality_manager, customer_a, browse):
    item = make_item(process_owner, customer=customer_a)
    owner, approver = browse(process_owner), browse(quality_manager)
    transition = reverse("improvement:item_transition", args=[item.pk])
    detail = reverse("improvement:item_detail", args=[item.pk])
    assert owner.post(transition, {"to": "planned", "version": 1}).status_code == 302
    # the owner gets no approve button, and a note that another person approves
    html = owner.get(detail).content.decode()
    assert 'data-transition="approve"' not in html
    assert 'data-testid="four-eyes"' in html
    assert 'data-transition="approve"' in approver.get(detail).content.decode()
    approver.post(transition, {"to": "approved", "version": 2})
    owner.post(transition, {"to": "implementing", "version": 3})
    owner.post(transition, {"to": "verifying", "version": 4, "implementation_notes": "Done."})
    owner.post(
        reverse("improvement:item_effect", args=[item.pk]),
        {"effect_note": "Fewer repeats.", "version": 5},
    )
    # closing asks first, then closes
    ask = owner.post(transition, {"to": "closed", "version": 6})
    assert ask.status_code == 200
    assert Item.objects.get(pk=item.pk).status == ItemStatus.VERIFYING
    done = owner.post(transition, {"to": "closed", "version": 6, "confirmed": "yes"})
    assert done.status_code == 302
    assert Item.objects.get(pk=item.pk).status == ItemStatus.CLOSED


def test_effect_is_shown_with_the_kpis_unit(process_owner, quality_manager, browse):
    item = approved_item(process_owner, quality_manager, kpi_id="improvement_on_time")
    Item.objects.filter(pk=item.pk).update(before_value=Decimal("50"), after_value=Decimal("87.5"))
    html = browse(process_owner).get(reverse("improvement:item_detail", args=[item.pk]))
    text = html.content.decode()
    assert "50&nbsp;%" in text
    assert "87.5&nbsp;%" in text
    assert 'data-better="yes"' in text


def test_edit_keeps_the_plan_after_approval(process_owner, quality_manager, browse):
    item = approved_item(process_owner, quality_manager)
    client = browse(process_owner)
    page = client.get(reverse("improvement:item_edit", args=[item.pk]))
    assert "goal" not in page.context["form"].fields
    response = client.post(
        reverse("improvement:item_edit", args=[item.pk]),
        {"version": item.version, "implementation_notes": "Half done.", "description": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Item.objects.get(pk=item.pk).implementation_notes == "Half done."


def test_review_actions_page_raises_each_action_once(process_owner, customer_a, browse):
    action = review_action(by=process_owner, customer=customer_a)
    client = browse(process_owner)
    page = client.get(reverse("improvement:review_actions"))
    assert f'data-action="{action.pk}"' in page.content.decode()
    url = reverse("improvement:review_action_raise", args=[action.pk])
    first = client.post(url)
    again = client.post(url)  # a second click opens the same item
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Item.objects.filter(source=ItemSource.REVIEW_ACTION).count() == 1
    page = client.get(reverse("improvement:review_actions"))
    assert f'data-action="{action.pk}"' not in page.content.decode()


def test_customers_see_their_items_only(
    process_owner, customer_a, customer_b, customer_user, browse
):
    mine = make_item(process_owner, customer=customer_a, internal_notes="Secret plan B")
    theirs = make_item(process_owner, customer=customer_b)
    client = browse(customer_user)
    page = client.get(reverse("improvement:item_detail", args=[mine.pk]))
    assert page.status_code == 200
    assert "Secret plan B" not in page.content.decode()
    assert 'data-testid="item-edit"' not in page.content.decode()
    assert client.get(reverse("improvement:item_detail", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("improvement:item_list")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("improvement:review_actions")).status_code == 403
    services.raise_item(source=ItemSource.AD_HOC, source_key="x", title="Internal")
    assert Item.objects.count() == 3
