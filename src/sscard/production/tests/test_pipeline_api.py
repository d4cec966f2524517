"""Central production through the API: orders, bank and vendor exchange with failures, arrival,
pick-up at the submitting outlet, the 96-hour activation sweep, re-imports and overdue orders."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.production import exchange_files as xf
from sscard.production import folders
from sscard.production.models import ProductionItem, ProductionOrder
from sscard.production.pickup import batch_activation_sweep
from sscard.production.selectors import orders_overdue_rows
from sscard.testing import factories as f
from sscard.testing.batch_flow import adults, paper_batch

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
WED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)


def _fail(settings, *, bank=(), vendor=()):
    settings.SSCARD_SIMULATED_PARTNERS = {
        "bank": {"fail_items": {n: ["B01", "证件信息核验未通过"] for n in bank}},
        "vendor": {"fail_items": {n: ["V01", "芯片写入失败"] for n in vendor}},
    }


def _run(admin_api):
    resp = admin_api.post("/production/exchange/run?simulate=true")
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_exchange_with_failures_arrival_pickup_and_96_hour_activation(
        settings, clerk_api, admin_api, employer, outlet, django_capture_on_commit_callbacks):
    clock.freeze(WED)
    rows = adults(5)
    _fail(settings, bank=[rows[1]["doc_number"]], vendor=[rows[3]["doc_number"]])
    batch_no = paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    report = _run(admin_api)
    assert report["orders_generated"] == 1 and report["orders_shipped"] == 1
    assert [n.split("_")[0] for n in report["files_sent"]] == ["BANK", "VENDOR"]
    progress = clerk_api.get(f"/production/batches/{batch_no}").json()
    assert progress["items"]["in_transit"] == 3 and progress["items"]["failed"] == 2
    failed = {x["line_no"]: x for x in progress["failed"]}
    assert failed[3]["failure_stage"] == "bank" and failed[3]["reason"] == "证件信息核验未通过"
    assert failed[5]["failure_stage"] == "vendor" and failed[5]["failure_code"] == "V01"
    voided = ServiceRequest.objects.filter(status="voided")
    assert voided.count() == 2 and all("失败" in r.review_note for r in voided)
    rows_view = {r["line_no"]: r for r in clerk_api.get(f"/batches/{batch_no}/rows").json()}
    assert rows_view[3]["request_status"] == "voided"

    order_no = progress["orders"][0]["order_no"]
    other = staff_api_for_other_outlet(clerk_api)
    assert other.post(f"/production/orders/{order_no}/arrive").status_code == 403
    assert clerk_api.post(f"/production/orders/{order_no}/arrive").json()["items"]["ready"] == 3
    assert ServiceRequest.objects.filter(status="ready_for_pickup").count() == 3

    emp, handler = employer
    picked = clerk_api.post(f"/production/batches/{batch_no}/pickup",
                            {"handler": {"doc_type": "id_card", "number": handler.id_number}})
    assert picked.status_code == 200, picked.content
    due = dt.datetime.fromisoformat(picked.json()["activation_due_at"])
    assert picked.json()["cards_handed_over"] == 3 and due == WED + dt.timedelta(hours=96)
    cards = Card.objects.filter(origin_request__production_mode="batch")
    assert {c.state for c in cards} == {"made"} and all(c.issued_outlet_id == outlet.pk for c in cards)
    assert ServiceRequest.objects.filter(status="completed").count() == 3

    clock.freeze(due - dt.timedelta(seconds=1))
    assert batch_activation_sweep() == 0
    clock.freeze(due)
    assert batch_activation_sweep() == 3
    assert batch_activation_sweep() == 0  # idempotent
    assert {c.state for c in Card.objects.filter(origin_request__production_mode="batch")} == {"active"}
    assert AuditEvent.objects.filter(event_type="CARD_ACTIVATED").count() == 3


def staff_api_for_other_outlet(_):
    return f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))


def _to_ready(settings, clerk_api, admin_api, employer, capture, n=2):
    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(n), capture=capture)
    _run(admin_api)
    order_no = ProductionOrder.objects.get(batch__batch_no=batch_no).order_no
    assert clerk_api.post(f"/production/orders/{order_no}/arrive").status_code == 200
    return batch_no


def test_activation_sweep_catches_up_after_downtime(settings, clerk_api, admin_api, employer,
                                                    django_capture_on_commit_callbacks):
    clock.freeze(WED)
    batch_no = _to_ready(settings, clerk_api, admin_api, employer, django_capture_on_commit_callbacks)
    clerk_api.post(f"/production/batches/{batch_no}/pickup",
                   {"handler": {"doc_type": "id_card", "number": employer[1].id_number}})
    clock.freeze(WED + dt.timedelta(days=12))  # the sweep did not run for days
    assert batch_activation_sweep() == 2
    assert set(ProductionItem.objects.values_list("activated_at", flat=True)) == {clock.now()}


def test_pickup_rules(settings, clerk_api, admin_api, employer, django_capture_on_commit_callbacks):
    from sscard.archive.models import ArchiveItem

    batch_no = _to_ready(settings, clerk_api, admin_api, employer, django_capture_on_commit_callbacks)
    other_outlet = staff_api_for_other_outlet(clerk_api)
    body = {"handler": {"doc_type": "id_card", "number": employer[1].id_number}}
    resp = other_outlet.post(f"/production/batches/{batch_no}/pickup", body)
    assert resp.status_code == 422 and resp.json()["code"] == "PICKUP_OUTLET_MISMATCH"
    newcomer = f.make_person(name="钱新")
    body = {"handler": {"doc_type": "id_card", "number": newcomer.id_number}}
    resp = clerk_api.post(f"/production/batches/{batch_no}/pickup", body)
    assert resp.status_code == 422 and resp.json()["code"] == "PICKUP_LETTER_REQUIRED"
    resp = clerk_api.post(f"/production/batches/{batch_no}/pickup", {**body, "letter_image": f.b64_jpeg()})
    assert resp.json()["code"] == "PICKUP_LETTER_REQUIRED"  # the seal was not confirmed
    resp = clerk_api.post(f"/production/batches/{batch_no}/pickup", {"handler": {"doc_type": "hukou",
                                                                                  "number": newcomer.id_number}})
    assert resp.json()["code"] == "MATERIAL_HANDLER_DOC"
    assert ProductionItem.objects.filter(stage="ready").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.post(f"/production/batches/{batch_no}/pickup",
                              {**body, "letter_image": f.b64_jpeg(), "letter_sealed": True})
    assert resp.status_code == 200 and resp.json()["cards_handed_over"] == 2
    assert ArchiveItem.objects.filter(subject_id=batch_no, kind="intro_letter").count() == 1
    again = clerk_api.post(f"/production/batches/{batch_no}/pickup",
                           {"handler": {"doc_type": "id_card", "number": employer[1].id_number}})
    assert again.status_code == 422 and again.json()["code"] == "PICKUP_NOTHING_READY"


def test_reimporting_a_result_file_changes_nothing(settings, clerk_api, admin_api, employer,
                                                   django_capture_on_commit_callbacks):
    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    _run(admin_api)
    done = folders.inbox() / "done"
    result = sorted(done.glob("BANK_RESULT_*"))[0]
    content = folders.unseal(result.read_bytes())
    before = (AuditEvent.objects.count(), list(ProductionItem.objects.values_list("stage", "updated_at")))
    resp = admin_api.client.post("/api/v1/production/results",
                                 data={"kind": "bank_result", "file": SimpleUploadedFile("r.csv", content)},
                                 headers=admin_api._headers(None))
    assert resp.status_code == 200 and resp.json()["already_imported"] is True
    assert (AuditEvent.objects.count(), list(ProductionItem.objects.values_list("stage", "updated_at"))) == before
    order_no = ProductionOrder.objects.get(batch__batch_no=batch_no).order_no
    different = xf.write_exchange("bank_result", order_no, [
        {"item_no": "000001", "result": "FAIL", "account_no": "", "reason_code": "B09", "reason": "其他"},
        {"item_no": "000002", "result": "FAIL", "account_no": "", "reason_code": "B09", "reason": "其他"}])
    resp = admin_api.client.post("/api/v1/production/results",
                                 data={"kind": "bank_result", "file": SimpleUploadedFile("r.csv", different)},
                                 headers=admin_api._headers(None))
    assert resp.status_code == 409 and resp.json()["code"] == "EXCHANGE_RESULT_DIFFERS"
    assert _run(admin_api)["files_sent"] == []  # a second cycle: nothing new, nothing twice
    assert ProductionOrder.objects.count() == 1 and ProductionItem.objects.count() == 2


def test_half_written_result_file_waits_and_is_imported_once_complete(
        settings, clerk_api, admin_api, employer, django_capture_on_commit_callbacks):
    from sscard.production.simulated_partners import SimulatedBank

    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    cycle = admin_api.post("/production/exchange/run").json()  # no simulation: the bank has not answered
    assert [n.split("_")[0] for n in cycle["files_sent"]] == ["BANK"]
    order_no = ProductionOrder.objects.get(batch__batch_no=batch_no).order_no
    out = folders.unseal((folders.outbox() / xf.exchange_filename("bank_out", order_no)).read_bytes())
    answer = SimulatedBank().process(out)
    name = xf.exchange_filename("bank_result", order_no)
    folders.write_in(name, answer[: len(answer) // 2])  # the transfer broke off
    cycle = admin_api.post("/production/exchange/run").json()
    assert cycle["results_refused"] == [[name, "EXCHANGE_FILE_TRUNCATED"]]
    assert set(ProductionItem.objects.values_list("stage", flat=True)) == {"bank_sent"}
    folders.write_in(name, answer)
    cycle = admin_api.post("/production/exchange/run").json()
    assert cycle["results_imported"] == [name] and cycle["files_sent"][0].startswith("VENDOR_OUT")
    assert set(ProductionItem.objects.values_list("stage", flat=True)) == {"vendor_sent"}


def test_overdue_orders_and_rows_are_listed_for_supervisors(settings, clerk_api, admin_api, staff_api, employer,
                                                            django_capture_on_commit_callbacks):
    clock.freeze(WED)
    _fail(settings)
    paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    admin_api.post("/production/exchange/run")  # bank file out; the bank never answers
    supervisor = staff_api("supervisor")
    clock.freeze(dt.datetime(2026, 12, 9, 23, 0, tzinfo=CST))  # the 10th working day, not over yet
    assert supervisor.get("/production/overdue").json() == []
    clock.freeze(dt.datetime(2026, 12, 10, 0, 1, tzinfo=CST))
    overdue = supervisor.get("/production/overdue").json()
    assert len(overdue) == 1 and overdue[0]["stage"] == "bank_sent" and overdue[0]["items"]["bank_sent"] == 2
    rows = supervisor.get("/requests/overdue").json()
    assert len(rows) == 2
    assert clerk_api.get("/production/overdue").status_code == 403
    # the supervisor's dashboard: the order as a row, narrowed by the outlet it is bound for
    order = ProductionOrder.objects.get()
    (row,) = orders_overdue_rows(outlet_id=order.outlet_id)
    assert (row["order_no"], row["cards"], row["stage_label"]) == (order.order_no, 2, "已报送银行")
    assert row["hours_overdue"] == 0.0 and row["employer"] == employer[0].name
    assert orders_overdue_rows(outlet_id=f.make_outlet().pk) == []


def test_status_query_shows_the_production_stage(settings, clerk_api, admin_api, employer,
                                                 django_capture_on_commit_callbacks):
    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(1), capture=django_capture_on_commit_callbacks)
    no = f"{batch_no}000002"
    assert clerk_api.get(f"/requests/{no}").json()["production_stage"] is None  # not yet in an order
    admin_api.post("/production/exchange/run")
    body = clerk_api.get(f"/requests/{no}").json()
    assert (body["batch_no"], body["production_stage"], body["production_stage_label"]) == (
        batch_no, "bank_sent", "已报送银行开户")


def test_exchange_killed_after_writing_the_bank_file_resumes_without_duplicates(
        settings, clerk_api, admin_api, employer, monkeypatch, django_capture_on_commit_callbacks):
    from sscard.production import services

    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(3), capture=django_capture_on_commit_callbacks)
    real = services.ExchangeRecord.objects.create

    def killed(**kw):
        raise SystemExit("worker killed")  # after the file is written, before the commit

    monkeypatch.setattr(services.ExchangeRecord.objects, "create", killed)
    with pytest.raises(SystemExit):
        from sscard.production.exchange import exchange_cycle
        from sscard.staff.actors import Actor

        exchange_cycle(actor=Actor.system("t"), simulate=False)
    assert set(ProductionItem.objects.values_list("stage", flat=True)) == {"generated"}
    monkeypatch.setattr(services.ExchangeRecord.objects, "create", real)
    report = admin_api.post("/production/exchange/run?simulate=true").json()
    assert report["orders_shipped"] == 1
    order = ProductionOrder.objects.get(batch__batch_no=batch_no)
    assert order.exchanges.count() == 4 and order.items.filter(stage="in_transit").count() == 3
    assert len(list(folders.outbox().glob("BANK_OUT_*"))) == 1


def test_admin_lists_batches_orders_and_items_read_only(settings, clerk_api, admin_api, employer, client,
                                                        django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    _fail(settings)
    batch_no = paper_batch(clerk_api, employer, adults(1), capture=django_capture_on_commit_callbacks)
    admin_api.post("/production/exchange/run?simulate=true")
    user = get_user_model().objects.create_superuser("root-admin", password="x-pass-123")
    client.force_login(user)
    for path in ("/admin/batches/batch/", "/admin/batches/batchrow/", "/admin/production/productionorder/",
                 "/admin/production/productionitem/", "/admin/production/exchangerecord/"):
        resp = client.get(path)
        assert resp.status_code == 200, path
    assert batch_no in client.get("/admin/batches/batch/").content.decode()
    row = ProductionItem.objects.get()
    page = client.get(f"/admin/production/productionitem/{row.pk}/change/").content.decode()
    assert "6214" not in page  # no account number
    assert client.get("/admin/batches/batch/add/").status_code == 403
