"""Batch reissue with the fee settled per employer (old cards end when the new ones are picked up), and
batch to individual (批量转零星) inside and outside its window."""

import datetime as dt

import pytest

from sscard.batches import columns as cols
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.production.models import ProductionItem, ProductionOrder
from sscard.production.pickup import batch_activation_sweep
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import adults, file_batch, paper_batch

pytestmark = pytest.mark.django_db


def _holder(name):
    person = f.make_person(name=name)
    return person, f.make_card(person, state="active")


def test_batch_reissue_fee_per_employer_then_old_cards_end_at_pickup(
        clerk_api, admin_api, employer, django_capture_on_commit_callbacks):
    (p1, old1), (p2, old2), (p3, old3) = _holder("陈一"), _holder("陈二"), _holder("陈三")
    rows = [bf.person_row(kind=cols.REISSUE, name=p1.name, doc_number=p1.id_number, business="换领", reason="损坏"),
            bf.person_row(kind=cols.REISSUE, name=p2.name, doc_number=p2.id_number, business="换发", reason="到期"),
            bf.person_row(kind=cols.REISSUE, name=p3.name, doc_number=p3.id_number, business="补领", reason="损坏")]
    batch_no = paper_batch(clerk_api, employer, rows, business="batch_reissue",
                           capture=django_capture_on_commit_callbacks)
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["accepted_rows"], out["refused_rows"]) == (2, 1)
    refused = clerk_api.get(f"/batches/{batch_no}/rows", status="refused").json()
    assert "社保卡补领的原因须为：丢失" in refused[0]["reason"]
    assert clerk_api.get(f"/batches/{batch_no}/fee").json() == {"rows": 1, "amount_fen": 2000, "receipt_no": ""}
    # the free renewal goes ahead; the damaged-card replacement waits for the employer's payment
    assert admin_api.post("/production/exchange/run?simulate=true").json()["orders_generated"] == 1
    assert ServiceRequest.objects.get(applicant=p1).status == "awaiting_fee"
    other = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    assert other.post(f"/batches/{batch_no}/settle-fee", {"method": "paid"}).status_code == 404
    paid = clerk_api.post(f"/batches/{batch_no}/settle-fee", {"method": "paid"}).json()
    assert paid["amount_fen"] == 2000 and paid["receipt_no"].startswith("SF")
    assert clerk_api.post(f"/batches/{batch_no}/settle-fee", {"method": "paid"}).status_code == 409
    report = admin_api.post("/production/exchange/run?simulate=true").json()
    assert report["orders_generated"] == 1 and report["orders_shipped"] == 1
    assert ServiceRequest.objects.get(applicant=p1).payment.receipt_no == paid["receipt_no"]
    new_cards = Card.objects.filter(origin_request__production_mode="batch")
    assert {c.state for c in new_cards} == {"produced"}
    assert Card.objects.get(pk=old1.pk).state == "active"  # the old card stays in use until pick-up
    for order_no in ProductionOrder.objects.values_list("order_no", flat=True):
        assert clerk_api.post(f"/production/orders/{order_no}/arrive").status_code == 200
    resp = clerk_api.post(f"/production/batches/{batch_no}/pickup",
                          {"handler": {"doc_type": "id_card", "number": employer[1].id_number}})
    assert resp.status_code == 200 and resp.json()["cards_handed_over"] == 2
    assert Card.objects.get(pk=old1.pk).state == "replaced" and Card.objects.get(pk=old2.pk).state == "replaced"
    assert Card.objects.get(pk=old3.pk).state == "active"  # its row was refused
    assert {c.state for c in Card.objects.filter(origin_request__production_mode="batch")} == {"made"}
    clock.freeze(clock.now() + dt.timedelta(hours=96, seconds=1))
    assert batch_activation_sweep() == 2
    assert Card.objects.get(pk=old1.pk).replaced_by.state == "active"


def _clerk_convert(clerk_api, person, **extra):
    return clerk_api.post("/production/to-individual",
                          {"applicant": {"doc_type": "id_card", "number": person.id_number},
                           "evidence": f.window_evidence(), **extra})


def test_batch_to_individual_inside_its_window(clerk_api, admin_api, employer, django_capture_on_commit_callbacks):
    rows = adults(3)
    batch_no = paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000002").applicant
    with django_capture_on_commit_callbacks(execute=True):
        resp = _clerk_convert(clerk_api, person)  # accepted, not yet in an order: convertible
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "completed" and body["production_mode"] == "instant"
    card = Card.objects.get(person=person)
    assert card.state == "active" and card.issued_at is not None
    rows_view = {r["line_no"]: r for r in clerk_api.get(f"/batches/{batch_no}/rows").json()}
    assert rows_view[2]["status"] == "converted"
    admin_api.post("/production/exchange/run")
    assert ProductionItem.objects.count() == 2  # the row left its batch: not ordered

    # an item whose order exists but whose file has not gone to the bank is still convertible
    second = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    from sscard.production.services import orders_generate
    from sscard.staff.actors import Actor

    orders_generate(actor=Actor.system("t"), batch_no=second)
    item = ProductionItem.objects.filter(order__batch__batch_no=second).first()
    with django_capture_on_commit_callbacks(execute=True):
        assert _clerk_convert(clerk_api, item.request.applicant).status_code == 200
    item.refresh_from_db()
    assert item.stage == "removed"


def test_batch_to_individual_prints_the_photo_checked_in_the_scans_zip(
        clerk_api, employer, monkeypatch, django_capture_on_commit_callbacks):
    from sscard.hardware.drivers import get_issuance_printer

    rows = adults(2)
    batch_no = file_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    printer, printed = get_issuance_printer(), []
    real = printer.print_card
    monkeypatch.setattr(printer, "print_card", lambda *a, **kw: printed.append(kw["photo_jpeg"]) or real(*a, **kw))
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000002").applicant
    with django_capture_on_commit_callbacks(execute=True):
        assert _clerk_convert(clerk_api, person).status_code == 200
    assert printed == [bf.scan_files(rows[0])[f"{rows[0]['doc_number']}.jpg"]]


def test_batch_to_individual_outside_its_window_and_wrong_callers(
        clerk_api, kiosk_api, admin_api, employer, django_capture_on_commit_callbacks):
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    admin_api.post("/production/exchange/run")  # the bank file is out: in production
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000002").applicant
    resp = _clerk_convert(clerk_api, person)
    assert resp.status_code == 422 and resp.json()["code"] == "BATCH_NOT_CONVERTIBLE"
    assert "已报送银行开户" in resp.json()["message"]
    assert not Card.objects.filter(person=person).exists()
    resp = kiosk_api.post("/production/to-individual", {"applicant": {"doc_type": "id_card", "number": person.id_number}})
    assert resp.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    agent = f.make_person(name="代办人")
    resp = _clerk_convert(clerk_api, person, agent={"doc_type": "id_card", "number": agent.id_number})
    assert resp.json()["code"] == "ROLE_NOT_ALLOWED"
    stranger = f.make_person(name="无关人")
    assert _clerk_convert(clerk_api, stranger).json()["code"] == "BATCH_REQUEST_NOT_FOUND"
    assert set(ProductionItem.objects.values_list("stage", flat=True)) == {"bank_sent"}


def test_batch_to_individual_when_the_issuance_device_fails_is_made_within_24_hours(
        clerk_api, outlet, employer, django_capture_on_commit_callbacks):
    clock.freeze(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc))
    batch_no = paper_batch(clerk_api, employer, adults(1), capture=django_capture_on_commit_callbacks)
    outlet.issuance_status = "device_failed"
    outlet.save(update_fields=["issuance_status"])
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000002").applicant
    before = clock.now()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _clerk_convert(clerk_api, person)
    body = resp.json()
    assert resp.status_code == 200 and (body["status"], body["production_mode"]) == ("in_production", "deferred")
    due = dt.datetime.fromisoformat(body["due_at"].replace("Z", "+00:00"))
    assert due - before == dt.timedelta(hours=24)
    assert not Card.objects.filter(person=person).exists()
