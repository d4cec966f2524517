"""The DBA's grant script, applied to a role of the application: the role works the service (writes,
audit events, the sequencer, the verifier) and cannot UPDATE, DELETE or TRUNCATE the audit tables, nor
TRUNCATE any table, nor switch the audit triggers off."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

from sscard.audit.models import AuditEvent
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record
from sscard.audit.verify import audit_verify
from sscard.people.models import Person
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def as_app_role():
    role = f"sscard_app_t_{connection.settings_dict['NAME']}"[:60]
    out = StringIO()
    call_command("db_roles_sql", "--app-role", role, "--database", connection.settings_dict["NAME"],
                 stdout=out)
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
        cur.execute(out.getvalue())
        cur.execute(f'SET ROLE "{role}"')
    try:
        yield role
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")


def denied(statement):
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    except ProgrammingError as exc:
        return "permission denied" in str(exc)
    return False


def test_the_printed_script_names_the_roles_and_every_append_only_table():
    out = StringIO()
    call_command("db_roles_sql", "--app-role", "city_app", "--owner-role", "city_owner", stdout=out)
    text = out.getvalue()
    assert 'CREATE ROLE "city_owner"' in text and 'TO "city_app"' in text
    revoke = ('REVOKE UPDATE, DELETE, TRUNCATE ON "audit_auditevent", "audit_auditleaf", '
              '"audit_audittreenode", "audit_audittreehead", "audit_accesslogentry" FROM "city_app", PUBLIC;')
    assert revoke in text


def test_the_application_role_runs_the_service_but_cannot_rewrite_the_audit_log(as_app_role):
    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == as_app_role
    person = f.make_person()
    Person.objects.filter(pk=person.pk).update(ethnicity="回族")  # business tables: read and write
    for i in range(3):
        with transaction.atomic():
            audit_record(event_type="DEMO_DATA_LOADED", actor=Actor.system("t"), subject_type="thing",
                         subject_id=i)
    assert audit_integrate().size == 3  # the sequencer: queue rows deleted, lock row locked, head signed
    ok, _, reason = audit_verify()
    assert ok, reason
    seq = AuditEvent.objects.first().seq
    assert denied(f"UPDATE audit_auditevent SET data = '{{}}' WHERE seq = {seq}")
    assert denied(f"DELETE FROM audit_auditevent WHERE seq = {seq}")
    assert denied("DELETE FROM audit_audittreehead")
    assert denied("UPDATE audit_auditleaf SET digest = digest")
    assert denied("TRUNCATE audit_accesslogentry")
    assert denied("TRUNCATE people_person CASCADE")  # no TRUNCATE anywhere
    assert denied("SET session_replication_role = replica")  # nor the superuser's way past the triggers
