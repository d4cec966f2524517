"""The pages' two languages: Chinese by default (the browser's Accept-Language is not followed), English by
the switcher (Django's set_language: a POST with CSRF, a cookie that outlives the session); the English
catalogue is complete and its compiled .mo matches the .po; the main pages in English keep no Chinese of
their own (the Chinese left is data: names, the catalogue's texts, the services' refusals, the audit
trail's vocabulary)."""

import ast
import datetime as dt
import gettext
import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sscard.audit.choices import AuditEventType
from sscard.audit.selectors import SUBJECT_TYPE_LABELS
from sscard.core import masking
from sscard.desk.models import WorkItem
from sscard.desk.selectors import WORK_ITEM_TABS
from sscard.fees.models import FeeRule
from sscard.people.models import Person
from sscard.staff.models import Outlet, StaffMember
from sscard.testing import factories as f
from sscard.testing.desk import app_application, make_request
from sscard.web import vocabulary

LOCALE = Path(vocabulary.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"
CATALOGUE = Path(vocabulary.__file__).resolve().parents[1] / "policy" / "catalogue.toml"
pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e“”]+")


# ---------------------------------------------------------------- the catalogue


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file (msgctxt, msgid, msgid_plural, msgstr[n], flags): enough of the format
    for ours (no polib here, and Python's Tools/i18n/msgfmt.py is not importable)."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        text = ast.literal_eval(match.group(3) if match else line)
        if match:
            field = (match.group(1), int(match.group(2) or 0))
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] = text
            else:
                entry[field[0]] = text
        elif field[0] == "msgstr":
            entry["msgstr"][field[1]] += text
        else:
            entry[field[0]] += text
    return entries


@pytest.fixture(scope="module")
def entries():
    return [e for e in po_entries(PO) if e["msgid"]]


def test_every_message_has_an_english_translation_and_none_is_fuzzy(entries):
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or "fuzzy" in e["flags"]]
    assert untranslated == []


def test_translations_keep_the_placeholders_and_the_markup(entries):
    marks = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.1f|%%|\{\w+\}|</?\w+[^>]*>")
    wrong = [(e["msgid"], s) for e in entries for s in e["msgstr"].values()
             if sorted(marks.findall(s)) != sorted(marks.findall(e["msgid"]))]
    assert wrong == []


def test_the_compiled_catalogue_is_the_po_file(entries):
    """django.mo is committed (a machine may have no gettext tools): it must say what django.po says, no
    more and no less.  After changing the .po: msgfmt -o django.mo django.po (or compilemessages)."""
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    expected = {}
    for e in entries:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            expected[key] = e["msgstr"][0]
        else:
            for n, text in e["msgstr"].items():
                expected[(key, n)] = text
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}
    assert compiled == expected, "django.mo is out of date: run msgfmt -o django.mo django.po"
    assert mo.info().get("language") == "en"
    assert mo.info().get("plural-forms", "").startswith("nplurals=2")


def test_the_vocabulary_lists_every_label_of_its_choices_translated():
    """Each choice the pages show is listed whole in ``vocabulary`` with its current Chinese label as the
    msgid (so Chinese pages show the choice's own label), and has English."""
    for choices, labels in vocabulary.VOCABULARY.items():
        assert set(labels) == set(choices.values), choices
        context = vocabulary.context_of(choices)
        for value, lazy_label in labels.items():
            with translation.override("zh-hans"):
                assert str(lazy_label) == str(choices(value).label) == vocabulary.label(choices, value)
            with translation.override("en"):
                english = vocabulary.label(choices, value)
                assert english and not CJK.search(english), (context, value, english)


def test_the_work_item_tabs_are_the_selectors_tabs_translated():
    assert set(vocabulary.WORK_ITEM_TABS) == set(WORK_ITEM_TABS)
    for key, chinese in WORK_ITEM_TABS.items():
        with translation.override("zh-hans"):
            assert str(vocabulary.WORK_ITEM_TABS[key]) == chinese
        with translation.override("en"):
            assert not CJK.search(str(vocabulary.WORK_ITEM_TABS[key]))


def test_labels_of_other_apps_are_looked_up_by_their_chinese():
    with translation.override("en"):
        assert vocabulary.text("待审核", "RequestStatus") == "Waiting for review"
        assert vocabulary.text("社保卡申领") == "Card application"  # any choice's label, without a context
        assert vocabulary.text("居民身份证 5001**********1234") == "Resident ID card 5001**********1234"
        assert vocabulary.text("张三") == "张三"  # data stays as it is
    with translation.override("zh-hans"):
        assert vocabulary.text("待审核", "RequestStatus") == "待审核"


# ---------------------------------------------------------------- choosing the language


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_pages_are_chinese_by_default_even_for_an_english_browser(client):
    page = client.get(reverse("web:sign_in"), headers={"Accept-Language": "en-GB,en;q=0.9"}).content.decode()
    assert '<html lang="zh-CN">' in page and "工作人员登录" in page
    assert 'name="language" value="en" lang="en"' in page  # the switcher offers English, named in English


def test_switching_to_english_sets_a_lasting_cookie_and_comes_back_to_the_page(client):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/sign-in/"})
    assert resp.status_code == 302 and resp["Location"] == "/sign-in/"
    cookie = resp.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 30 * 24 * 3600 and cookie["httponly"]
    page = client.get("/sign-in/").content.decode()
    assert '<html lang="en">' in page and "Staff sign-in" in page and "工作人员登录" not in page
    assert 'name="language" value="zh-hans" lang="zh-CN"' in page and "简体中文" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/sign-in/"})
    assert "工作人员登录" in client.get("/sign-in/").content.decode()


def test_the_switch_is_a_post_with_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/sign-in/"}).status_code == 403
    page = client.get("/sign-in/").content.decode()
    assert re.search(r'<form method="post" action="/i18n/setlang/"[^>]*>\s*<input type="hidden" '
                     r'name="csrfmiddlewaretoken"', page)


def test_the_choice_outlives_signing_out(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    english(client).force_login(clerk.user)
    client.post(reverse("web:sign_out"), {"reason": "user"})
    page = client.get(reverse("web:sign_in") + "?signed_out=user").content.decode()
    assert "You have signed out." in page and '<html lang="en">' in page


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-CN">' in client.get("/sign-in/").content.decode()


def test_errors_in_english_keep_the_summary_and_the_title_prefix(client):
    page = english(client).post(reverse("web:sign_in"), {"username": "", "password": ""}).content.decode()
    assert "<title>Error: Workstation" in page
    assert "Please fix the following" in page
    assert "Enter your username" in page and "Enter your password" in page


def test_a_services_refusal_stays_chinese_with_its_code_on_an_english_page(client):
    client.force_login(f.make_staff("reviewer").user)
    page = english(client).get(reverse("web:window")).content.decode()
    assert "该环节须由服务窗口经办员办理" in page  # the access table's message, as the services say it
    assert "Error code" in page and "Cannot be done" in page


def test_times_stay_beijing_time_in_english(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    english(client).force_login(clerk.user)
    req = make_request(outlet=outlet, status="completed")
    page = client.get(reverse("web:window_request", args=[req.request_no])).content.decode()
    assert f"{timezone.localtime(req.created_at):%Y-%m-%d %H:%M}" in page  # Asia/Shanghai


# ---------------------------------------------------------------- the main pages in English


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def domain_chinese() -> set[str]:
    """The Chinese the other apps write (every string literal of their sources, the catalogue's texts):
    the procedure's words and the services' refusals, which pages show as they are."""
    root = Path(vocabulary.__file__).resolve().parents[1]
    found = set(_strings(tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))))
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] == "web" or "tests" in parts or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return {text for text in found if CJK.search(text)}


def allowed_chinese(entries) -> list[str]:
    """What an English page may show in Chinese, longest first: data (people, staff, outlets), the other
    apps' texts, the switcher's 简体中文; but never a text the web app translates (its msgids)."""
    ours = {e["msgid"] for e in entries}
    texts = domain_chinese() - ours
    texts |= {"简体中文"} | {str(label) for label in AuditEventType.labels}
    texts |= {str(v) for v in SUBJECT_TYPE_LABELS.values()}
    for person in Person.objects.all():
        texts |= {person.name, masking.mask_name(person.name), person.address,
                  masking.mask_address(person.address),
                  person.ethnicity}
    texts |= set(FeeRule.objects.values_list("note", flat=True))
    texts |= {s.display_name for s in StaffMember.objects.all()}
    texts |= {o.name for o in Outlet.objects.all()} | {o.district for o in Outlet.objects.all()}
    return sorted((t for t in texts if t), key=len, reverse=True)


def chinese_left(html: str, allowed: list[str]) -> list[str]:
    for text in allowed:
        html = html.replace(text, "")
    return sorted(set(CJK.findall(html)))


@pytest.fixture
def clerk(outlet):
    return f.make_staff("clerk", outlet)


def pages_of(client, staff, urls):
    client.force_login(staff.user)
    out = {}
    for url in urls:
        resp = client.get(url) if isinstance(url, str) else client.post(url[0], url[1])
        assert resp.status_code in (200, 400), (url, resp.status_code)
        out[str(url)] = resp.content.decode()
    return out


def work_item_pages(client, outlet, card, clerk):
    """The 12333 work items in English: the hotline desk's 转办网点 form with a verified caller, its check and
    its confirmation, the item and the list (the operator's, the outlet clerk's, the supervisor's, overdue)."""
    operator = f.make_staff("hotline")
    client.force_login(operator.user)
    resp = client.post(reverse("web:hotline"), {"card_no": card.card_no, "name": card.person.name,
                                                "id_number": card.person.id_number})
    assert resp.status_code == 302
    typed = {"outlet": str(outlet.pk), "category": "预约办理", "note": "请回电", "contact_phone": "13912345678"}
    pages = {}
    for url in [reverse("web:hotline"), (reverse("web:hotline_work_item"), typed),
                (reverse("web:hotline_work_item"), {**typed, "outlet": "", "contact_phone": "12"}),
                (reverse("web:hotline_work_item_submit"), typed)]:
        resp = client.get(url) if isinstance(url, str) else client.post(url[0], url[1])
        assert resp.status_code in (200, 400), (url, resp.status_code)
        pages[f"hotline {url}"] = resp.content.decode()
    item = WorkItem.objects.get()
    WorkItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    item_url = reverse("web:work_item", args=[item.work_item_no])
    pages |= {f"hotline {k}": v for k, v in pages_of(client, operator, [item_url]).items()}
    pages |= {f"clerk {k}": v for k, v in pages_of(client, clerk, [
        reverse("web:window"), reverse("web:work_items"), reverse("web:work_items") + "?tab=done",
        reverse("web:work_items") + "?phone=12", item_url]).items()}
    client.post(reverse("web:work_item_accept", args=[item.work_item_no]))
    pages |= {f"clerk accepted {k}": v for k, v in pages_of(client, clerk, [item_url]).items()}
    client.post(reverse("web:work_item_close", args=[item.work_item_no]), {"result_note": "已回电"})
    pages |= {f"clerk closed {k}": v for k, v in pages_of(client, clerk, [
        item_url, reverse("web:work_items") + "?tab=done"]).items()}
    WorkItem.objects.filter(pk=item.pk).update(state="open", closed_at=None)
    pages |= {f"supervisor {k}": v for k, v in pages_of(client, f.make_staff("supervisor"), [
        reverse("web:start"), reverse("web:dashboard"), reverse("web:work_items"), item_url]).items()}
    pages = {name: html.replace("请回电", "").replace("已回电", "") for name, html in pages.items()}  # typed data
    assert "<h1>Work items" in pages["clerk /work-items/"]
    assert "Send to an outlet: check the details" in pages[f"hotline {(reverse('web:hotline_work_item'), typed)}"]
    assert "overdue work item" in pages["supervisor /supervisor/"]
    return pages


def test_the_main_pages_in_english_keep_no_chinese_of_their_own(client, outlet, clerk, entries):
    english(client)
    person = f.make_person(name="王小明")
    card = f.make_card(person)
    req = make_request(outlet=outlet, status="awaiting_fee", applicant=person, fee_amount_fen=2000)
    app = app_application(f.make_person(name="赵六"))
    pages = {"sign-in": client.get(reverse("web:sign_in")).content.decode(),
             "404": client.get("/no-such-page/").content.decode()}
    pages |= pages_of(client, clerk, [
        reverse("web:window"),
        (reverse("web:window_find"), {"doc_type": "id_card", "number": person.id_number}),
        reverse("web:window_apply"),
        reverse("web:window_business", args=["reissue"]),
        reverse("web:window_business", args=["pin_change"]),
        reverse("web:window_request", args=[req.request_no]),
        reverse("web:window_deferred"),
        reverse("web:window_batch"),
        reverse("web:window_queue_widget"),
        (reverse("web:window_apply_review"), {"role": "self"}),
    ])
    client.logout()
    english(client)
    pages |= pages_of(client, f.make_staff("reviewer"), [reverse("web:review_queue"),
                                                         reverse("web:review_case", args=[app.request_no])])
    pages |= pages_of(client, f.make_staff("supervisor"), [
        reverse("web:start"), reverse("web:dashboard"), reverse("web:audit_search") + "?number=YW",
        reverse("web:settings"), reverse("web:settings_fees"), reverse("web:settings_calendar"),
        reverse("web:settings_fee_add"), reverse("web:settings_outlet_edit", args=[outlet.pk]),
    ])
    pages |= pages_of(client, f.make_staff("hotline"), [reverse("web:hotline")])
    pages |= work_item_pages(client, outlet, card, clerk)
    allowed = allowed_chinese(entries)
    left = {name: chinese_left(html, allowed) for name, html in pages.items()}
    assert {name: runs for name, runs in left.items() if runs} == {}
    assert all('<html lang="en">' in html for html in pages.values() if "<html" in html)
    assert "<h1>Window workstation</h1>" in pages[reverse("web:window")]
    assert "<h1>Supervisor dashboard</h1>" in pages[reverse("web:dashboard")]
    assert "Person: 王小明" in pages[str((reverse("web:window_find"), {"doc_type": "id_card",
                                                                      "number": person.id_number}))]
