"""The staff password policy: Django's validators (length, common, numeric, similarity) and the
character classes (``sscard.staff.passwords``), as the admin and ``changepassword`` apply them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password,code", [
    ("Ab1!xyz", "password_too_short"),
    ("1234567890123", "password_entirely_numeric"),
    ("qwertyuiop", "password_too_common"),
    ("abcdefghijkl", "password_too_simple"),
    ("abcdef123456", "password_too_simple"),
])
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert code in {e.code for e in exc.value.error_list}


def test_a_password_like_the_account_is_refused():
    user = get_user_model()(username="yuzhong_clerk", first_name="Zhang")
    with pytest.raises(ValidationError) as exc:
        validate_password("Yuzhong_clerk1", user)
    assert "password_too_similar" in {e.code for e in exc.value.error_list}


@pytest.mark.parametrize("password", ["Sscard@2026!", "窗口Clerk-2026", "plain-words-and-7"])
def test_strong_passwords_pass(password):
    validate_password(password)


def test_the_admin_refuses_a_weak_password_for_a_new_user():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser(username="root", password="x"))
    res = client.post("/admin/auth/user/add/", {"username": "newclerk", "password1": "abcdefghijkl",
                                               "password2": "abcdefghijkl", "usable_password": "true"})
    assert res.status_code == 200
    assert not get_user_model().objects.filter(username="newclerk").exists()
    res = client.post("/admin/auth/user/add/", {"username": "newclerk", "password1": "Sscard@2026!",
                                               "password2": "Sscard@2026!", "usable_password": "true"})
    assert res.status_code == 302
    assert get_user_model().objects.filter(username="newclerk").exists()
