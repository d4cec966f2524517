import pytest

from sscard.core import crypto, masking


def test_encryption_round_trips_and_uses_a_fresh_nonce():
    a, b = crypto.encrypt("500103198506150011"), crypto.encrypt("500103198506150011")
    assert a != b and "500103" not in a
    assert crypto.decrypt(a) == "500103198506150011"


def test_tampered_ciphertext_is_rejected():
    token = crypto.encrypt("13800138000")
    raw = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(Exception):
        crypto.decrypt(raw)


def test_lookup_hash_is_keyed_normalised_and_purpose_bound(settings):
    h = crypto.lookup_hash(" 11010519491231002x ")
    assert h == crypto.lookup_hash("11010519491231002X")
    assert h != crypto.lookup_hash("11010519491231002X", purpose="phone")
    settings.LOOKUP_HASH_KEY = "another-key"
    assert h != crypto.lookup_hash("11010519491231002X")


def test_masks():
    assert masking.mask_id_number("500103198506150011") == "5001**********0011"
    assert masking.mask_phone("13800138000") == "138****8000"
    assert masking.mask_name("张三丰") == "张**"
    assert masking.mask_address("重庆市渝中区解放碑街道1号") == "重庆市渝****"
    assert masking.mask_id_number("") == ""
    assert masking.mask_id_number("7") == "*"
    assert masking.mask_id_number("B0000001") == "B******1"
    assert masking.mask_card_no("B12345678") == "B*****678"
    assert (masking.mask_card_no(""), masking.mask_card_no("B123")) == ("", "****")


@pytest.mark.django_db
def test_person_personal_data_is_encrypted_in_the_table():
    from django.db import connection

    from sscard.testing.factories import make_person

    p = make_person(phone="13912345678", address="重庆市江北区观音桥1号")
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, address FROM people_person WHERE id = %s", [p.pk])
        row = cur.fetchone()
    assert all(v.startswith("v2:k0:") for v in row)
    assert "13912345678" not in "".join(row)
    from sscard.people.models import Person

    again = Person.objects.get(pk=p.pk)
    assert again.phone == "13912345678" and again.address == "重庆市江北区观音桥1号"
