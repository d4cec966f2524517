"""The validation's reasons go back to the employer: none tells what is registered about a person
(another name under the number, that a card exists or its state, a business in progress)."""

import pytest

from sscard.batches.applications import IDENTITY_MISMATCH, not_by_batch
from sscard.batches.models import BatchRow
from sscard.cards.choices import CardState
from sscard.desk.models import ServiceRequest
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import paper_batch

pytestmark = pytest.mark.django_db
STATE_LABELS = [str(label) for label in CardState.labels]


def _reasons(batch_no) -> dict[str, str]:
    return {r.seq: r.reason for r in BatchRow.objects.filter(batch__batch_no=batch_no)}


def _row(person, seq, **over):
    return bf.person_row(name=over.pop("name", person.name), seq=seq, doc_number=person.id_number,
                         birth_date=person.birth_date.isoformat(), gender="男" if int(person.id_number[16]) % 2
                         else "女", **over)


def test_new_card_reasons_do_not_disclose_registered_data(clerk_api, employer, django_capture_on_commit_callbacks):
    registered = f.make_person(name="欧阳登记")
    lost = f.make_person(name="挂失人")
    f.make_card(lost, state=CardState.LOST)
    busy = f.make_person(name="办理中")
    ServiceRequest.objects.create(request_no="YW-BUSY-1", business="apply", channel="app", applicant_role="self",
                                  catalogue_version="x", applicant=busy, actor_name="t", actor_role="citizen",
                                  status="pending_review", created_at=busy.created_at, updated_at=busy.created_at)
    rows = [_row(registered, "1", name="王冒名"), _row(lost, "2"), _row(busy, "3")]
    reasons = _reasons(paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks))
    assert reasons == {"1": IDENTITY_MISMATCH, "2": not_by_batch("社保卡申领"), "3": not_by_batch("社保卡申领")}
    assert IDENTITY_MISMATCH == "身份信息核验不一致，请核对身份证件"
    text = "".join(reasons.values())
    assert "欧阳" not in text and "已登记" not in text and "已有" not in text
    assert not any(label in text for label in STATE_LABELS)


def test_reissue_reasons_do_not_disclose_the_card_or_its_state(clerk_api, employer,
                                                               django_capture_on_commit_callbacks):
    no_card = f.make_person(name="无卡人")
    cancelled = f.make_person(name="注销人")
    f.make_card(cancelled, state=CardState.CANCELLED)
    rows = [_row(p, str(i), kind="reissue") for i, p in enumerate((no_card, cancelled), start=1)]
    for row in rows:
        row.update({"business": "补领", "reason": "丢失"})
    reasons = _reasons(paper_batch(clerk_api, employer, rows, business="batch_reissue",
                                   capture=django_capture_on_commit_callbacks))
    assert set(reasons.values()) == {not_by_batch("社保卡补领")}, reasons
    assert not any(label in "".join(reasons.values()) for label in STATE_LABELS)
