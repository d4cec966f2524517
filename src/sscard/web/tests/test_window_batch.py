"""Batch cards at the window: sign for the order on arrival, hand the cards to the handler, refusals
shown with their message, batch to individual's form."""

import pytest
from django.urls import reverse

from sscard.production.models import ProductionItem, ProductionOrder
from sscard.testing.batch_flow import adults, paper_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(settings, clerk, clerk_api, staff_api, employer, django_capture_on_commit_callbacks):
    settings.SSCARD_SIMULATED_PARTNERS = {"bank": {}, "vendor": {}}
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    assert staff_api("admin").post("/production/exchange/run?simulate=true").status_code == 200
    return batch_no, ProductionOrder.objects.get(batch__batch_no=batch_no)


def test_sign_for_the_order_then_the_handler_picks_up_the_cards(client, clerk, employer, in_transit):
    batch_no, order = in_transit
    client.force_login(clerk.user)
    page = client.get(reverse("web:window_batch")).content.decode()
    assert order.order_no in page and "签收" in page and employer[0].name in page
    resp = client.post(reverse("web:window_order_arrive", kwargs={"order_no": order.order_no}))
    assert "已签收制卡批次" in client.get(resp["Location"]).content.decode()
    wrong = client.post(reverse("web:window_batch_pickup"), {"batch_no": batch_no, "handler_doc_type": "id_card",
                                                             "handler_number": "500103199001010011"})
    assert 400 <= wrong.status_code < 500 and ProductionItem.objects.filter(stage="ready").count() == 2
    resp = client.post(reverse("web:window_batch_pickup"), {"batch_no": batch_no, "handler_doc_type": "id_card",
                                                            "handler_number": employer[1].id_number})
    assert "2 张社保卡已发放" in client.get(resp["Location"]).content.decode()
    assert ProductionItem.objects.filter(stage="picked_up").count() == 2


def test_a_pickup_without_a_handler_names_what_is_missing(client, clerk, in_transit):
    client.force_login(clerk.user)
    resp = client.post(reverse("web:window_batch_pickup"), {"batch_no": ""})
    page = resp.content.decode()
    assert resp.status_code == 400 and "请选择要领取的批次" in page and "领卡经办人证件号码" in page


def test_batch_to_individual_form_and_a_refusal_for_someone_not_in_a_batch(client, clerk, adult):
    client.force_login(clerk.user)
    assert client.get(reverse("web:window_to_individual")).status_code == 200
    resp = client.post(reverse("web:window_to_individual_submit"), {"applicant_doc_type": "id_card",
                                                                    "applicant_number": adult.id_number})
    assert 400 <= resp.status_code < 500 and "<title>错误：" in resp.content.decode()
