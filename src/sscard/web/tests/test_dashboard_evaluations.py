"""好差评 on the supervisor's dashboard: the period's ratings and the open follow-ups, settled there."""

import pytest
from django.urls import reverse

from sscard.desk.evaluation import evaluation_record
from sscard.desk.models import EvaluationFollowUp
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def test_ratings_and_follow_ups_on_the_dashboard_and_settling_one(client, completed_business):
    actor, req = completed_business
    evaluation_record(actor=actor, request_no=req.request_no, level=1, reason="等候时间太长")
    client.force_login(f.make_staff("supervisor").user)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "共 1 条评价" in page and "等候时间太长" in page and req.request_no in page
    follow_up = EvaluationFollowUp.objects.get()
    url = reverse("web:follow_up_close", kwargs={"follow_up_id": follow_up.pk})
    assert "请填写整改情况" in client.get(client.post(url, {"resolution": ""})["Location"]).content.decode()
    client.post(url, {"resolution": "已改进叫号流程"})
    follow_up.refresh_from_db()
    assert follow_up.status == "closed"
    assert "没有待整改的差评" in client.get(reverse("web:dashboard")).content.decode()


def test_a_clerk_cannot_settle_follow_ups(client, outlet):
    client.force_login(f.make_staff("clerk", outlet).user)
    assert client.post(reverse("web:follow_up_close", kwargs={"follow_up_id": 1}), {"resolution": "x"}).status_code == 403
