"""The admin is in Chinese throughout: every app, model and stored field of the sscard apps has a Chinese
name (help texts and choice labels too), every column of the admin lists is labelled in Chinese, and every
registered model's list and add pages open for a superuser under their Chinese names.

Django's implicit primary key (``id``, auto-created, named "ID" by Django) is the one field exempt: it is
not declared in the models, and declaring it only to rename it would alter every table's key.  The admin
lists never head a column with it: they show ``core.admin.record_id`` (编号).
"""

import html
import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(text) -> bool:
    return bool(CJK.search(str(text)))


def _sscard_apps():
    return [config for config in apps.get_app_configs() if config.name.startswith("sscard.")]


def _sscard_models():
    return [model for config in _sscard_apps() for model in config.get_models()]


def _implicit_pk(field) -> bool:
    return field.primary_key and field.auto_created


def _registered():
    """(model, model admin) of every model of the sscard apps registered in the admin."""
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_config.name.startswith("sscard.")]


def test_every_sscard_app_has_a_chinese_name():
    offenders = [f"{config.name}: {config.verbose_name!r}" for config in _sscard_apps()
                 if not _chinese(config.verbose_name)]
    assert not offenders, "应用缺少中文名称：\n" + "\n".join(offenders)


def test_every_model_and_field_has_a_chinese_name():
    offenders = []
    for model in _sscard_models():
        meta = model._meta
        for attr in ("verbose_name", "verbose_name_plural"):
            if not _chinese(getattr(meta, attr)):
                offenders.append(f"{meta.label} Meta.{attr} = {getattr(meta, attr)!r}")
        for field in meta.concrete_fields:
            if _implicit_pk(field):
                continue
            where = f"{meta.label}.{field.name}"
            if not _chinese(field.verbose_name):
                offenders.append(f"{where} verbose_name = {field.verbose_name!r}")
            if field.help_text and not _chinese(field.help_text):
                offenders.append(f"{where} help_text = {field.help_text!r}")
            for value, label in field.flatchoices:
                if not _chinese(label):
                    offenders.append(f"{where} choice {value!r} label = {label!r}")
    assert not offenders, "缺少中文名称：\n" + "\n".join(offenders)


def test_every_admin_column_and_field_label_is_chinese():
    offenders = []
    for model, model_admin in _registered():
        names = [*model_admin.list_display, *model_admin.readonly_fields]
        for name in names:
            label = label_for_field(name, model, model_admin)
            if not _chinese(label):
                offenders.append(f"{type(model_admin).__name__} {getattr(name, '__name__', name)!r}: {label!r}")
        for inline in model_admin.inlines:
            for name in inline.fields or ():
                label = label_for_field(name, inline.model, inline)
                if not _chinese(label):
                    offenders.append(f"{inline.__name__} {name!r}: {label!r}")
        for action in model_admin.actions or ():
            description = getattr(action, "short_description", None)
            if description is not None and not _chinese(description):
                offenders.append(f"{type(model_admin).__name__} action {action!r}: {description!r}")
    assert not offenders, "后台栏目缺少中文名称：\n" + "\n".join(offenders)


def test_admin_site_titles_are_chinese():
    for title in (admin.site.site_header, admin.site.site_title, admin.site.index_title):
        assert _chinese(title), title


# --- pages ---------------------------------------------------------------------------------------------

_COLUMN = re.compile(r'<th scope="col"[^>]*>.*?<div class="text">(.*?)</div>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def superuser_client(client, settings, db):
    # The demo loader is meant for a development (DEBUG) setup; its rows make the lists show their columns.
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    user = get_user_model().objects.create_superuser("root-zh", password="x-pass-123456")
    client.force_login(user)
    return client


def _admin_url(model, page: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")


def _column_headers(page: str) -> list[str]:
    return [html.unescape(_TAG.sub("", header)).strip() for header in _COLUMN.findall(page)]


def test_admin_index_is_in_chinese(superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert admin.site.site_header in page
    for config in _sscard_apps():
        if any(model._meta.app_config is config for model, _ in _registered()):
            assert str(config.verbose_name) in page, config.name


def test_every_changelist_and_add_page_opens_in_chinese(superuser_client):
    offenders = []
    registered = _registered()
    assert registered
    for model, model_admin in registered:
        plural = str(model._meta.verbose_name_plural)
        url = _admin_url(model, "changelist")
        res = superuser_client.get(url)
        assert res.status_code == 200, url
        page = res.content.decode()
        assert plural in page, url
        for header in _column_headers(page):
            if header and not _chinese(header):
                offenders.append(f"{url} column {header!r}")

        url = _admin_url(model, "add")
        res = superuser_client.get(url)
        request = res.wsgi_request
        if model_admin.has_add_permission(request):
            assert res.status_code == 200, url
            assert str(model._meta.verbose_name) in res.content.decode(), url
        else:
            assert res.status_code == 403, url  # written only by the services
    assert not offenders, "后台列表中出现英文栏目：\n" + "\n".join(offenders)
