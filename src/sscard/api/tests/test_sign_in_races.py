"""Sign-in failures arriving at once (PostgreSQL): each is counted (Axes locks the attempt row), none
answers a 5xx, and the account is locked once the limit is reached.  Marker ``postgres``."""

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum

from sscard.audit.models import AuditEvent
from sscard.testing import factories as f
from sscard.testing.races import race


def racing(test):
    return pytest.mark.postgres(pytest.mark.django_db(transaction=True, serialized_rollback=True)(test))


@racing
def test_twelve_wrong_passwords_at_once_are_all_counted_and_lock_the_account():
    clerk = f.make_staff("clerk", f.make_outlet())
    body = {"username": clerk.user.username, "password": "wrong"}
    answers = race(*[(None, "/auth/staff-token", body, None)] * 12)
    assert all(a.status in (401, 429) for a in answers), [a.status for a in answers]
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 12
    assert AuditEvent.objects.filter(event_type="SIGN_IN_FAILED").count() == 12
    right = {"username": clerk.user.username, "password": "demo-pass-123"}
    assert f.ApiClient().post("/auth/staff-token", right).status_code == 429
