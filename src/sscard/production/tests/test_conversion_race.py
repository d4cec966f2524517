"""Batch to individual racing the production job (PostgreSQL: real row locks): exactly one wins.

Either the window converts the row (the card is made at the window and the item never reaches the bank
file), or the bank file takes the item first and the window is refused.  Never both, never neither.
"""

import pytest

from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.production import exchange_files as xf
from sscard.production import folders
from sscard.production.models import ProductionItem, ProductionOrder
from sscard.production.services import orders_generate
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.batch_flow import adults, paper_batch_body
from sscard.testing.races import race

ROUNDS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_conversion_and_bank_file_race_has_one_winner(round_no, settings, tmp_path):
    outlet = f.make_outlet()
    clerk_token = f.token_for(staff=f.make_staff("clerk", outlet))
    admin_token = f.token_for(staff=f.make_staff("admin"))
    body = paper_batch_body(f.make_employer(), adults(3), letter="JS-RACE")
    resp = f.ApiClient(clerk_token).post("/batches/paper", body)
    assert resp.status_code == 202, resp.content
    batch_no = resp.json()["batch_no"]
    orders_generate(actor=Actor.system("race"), batch_no=batch_no)
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000003").applicant
    convert = {"applicant": {"doc_type": "id_card", "number": person.id_number}, "evidence": f.window_evidence()}

    converted, exchanged = race((clerk_token, "/production/to-individual", convert, None),
                                (admin_token, "/production/exchange/run", {}, None))
    (c_status, c_body), x_status = (converted.status, converted.body), exchanged.status
    assert x_status == 200
    item = ProductionItem.objects.get(request__applicant=person)
    order = ProductionOrder.objects.get(batch__batch_no=batch_no)
    sent = xf.read_exchange(folders.unseal((folders.outbox() / xf.exchange_filename("bank_out", order.order_no))
                                           .read_bytes()), kind="bank_out")
    in_file = item.item_no in {r["item_no"] for r in sent.rows}
    if c_status == 200:
        assert item.stage == "removed" and not in_file
        assert Card.objects.filter(person=person, state="active").count() == 1
    else:
        assert (c_status, c_body["code"]) == (422, "BATCH_NOT_CONVERTIBLE")
        assert item.stage == "bank_sent" and in_file
        assert not Card.objects.filter(person=person).exists()
    assert len(sent.rows) == ProductionItem.objects.filter(order=order, stage="bank_sent").count()
