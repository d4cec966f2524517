"""Load demo outlets, staff of every role, kiosks, app users and cards, and print how to sign in.

    manage.py load_demo_data            # idempotent: re-running creates nothing twice
    manage.py load_demo_data --force    # also when SSCARD_DEBUG is off (never on a production database)

What already exists (matched by outlet code, username, kiosk code, ID number) is left as it is; kiosk
tokens are stored only as hashes, so each run issues (and prints) a fresh token per demo kiosk.  The fee
schedule is seeded by the fees migrations; this command only checks it is there.  Outlets, staff and
kiosks are configuration (as an administrator would enter them); persons, cards and the employer go
through the same services as any business: persons by ``person_find_or_create``, cards by
``cards_make`` (made and handed over at the Yuzhong outlet) and moved to their demo state through
``card_apply_event``, the employer and its handler registered by the Yuzhong clerk, and one 12333 work
item to the Yuzhong outlet, sent by the hotline operator for a caller verified on the phone.
"""

import datetime as dt
import secrets
import shutil
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sscard.archive.photo import SAMPLE_PHOTO
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.models import Card
from sscard.cards.services import (
    NewCard,
    card_apply_event,
    card_lock,
    card_make,
    card_no_new,
)
from sscard.core import clock
from sscard.desk.hotline import caller_verify
from sscard.desk.intake import PersonData, person_find_or_create
from sscard.desk.models import WorkItem
from sscard.desk.work_items import work_item_create
from sscard.employers.rules import make_uscc
from sscard.employers.services import employer_register, handler_add
from sscard.fees.models import FeeRule
from sscard.hardware.drivers import is_simulated
from sscard.hardware.models import SimulatedChip
from sscard.hardware.simulated import SimulatedCardTerminal
from sscard.people.idnumbers import check_digit
from sscard.people.lookup import id_hash
from sscard.people.models import Person
from sscard.policy.catalogue import policy_setting
from sscard.staff.actors import Actor
from sscard.staff.choices import DeviceStatus, OutletLevel, StaffRole
from sscard.staff.models import CitizenAccount, KioskDevice, Outlet, StaffMember
from sscard.staff.services import kiosk_token_issue
from sscard.workdays import rules as workday_rules

STAFF_PASSWORD = "demo-pass-123"
CITIZEN_PASSWORD = "app-pass-123"
# The PIN on the chips of the demo cards (the simulated card terminal; a real card's PIN is never known)
DEMO_CARD_PIN = "147258"

OUTLETS = [
    # code, name, district, level, signature pad, digital archive, issuance device
    ("CQ-YZ-001", "渝中区社保卡服务中心", "渝中区", OutletLevel.DISTRICT, True, True, DeviceStatus.WORKING),
    ("CQ-WZ-T01", "万州区龙沙镇便民服务中心", "万州区", OutletLevel.TOWNSHIP, False, False, DeviceStatus.WORKING),
    ("CQ-JB-001", "江北区社保卡服务中心", "江北区", OutletLevel.DISTRICT, True, True, DeviceStatus.DEVICE_FAILED),
]

STAFF = [
    # username, role, outlet code, display name
    ("clerk_yz", StaffRole.CLERK, "CQ-YZ-001", "渝中窗口-刘敏"),
    ("clerk_wz", StaffRole.CLERK, "CQ-WZ-T01", "龙沙镇窗口-陈刚"),
    ("clerk_jb", StaffRole.CLERK, "CQ-JB-001", "江北窗口-周琳"),
    ("reviewer", StaffRole.REVIEWER, None, "审核员-何静"),
    ("supervisor", StaffRole.SUPERVISOR, None, "主管-吴强"),
    ("auditor", StaffRole.AUDITOR, None, "审计员-郑洁"),
    ("hotline", StaffRole.HOTLINE, None, "12333话务员-孙丽"),
    ("admin", StaffRole.ADMIN, None, "系统管理员"),
]
SUPERUSER = "admin"

KIOSKS = [("K-YZ-01", "CQ-YZ-001"), ("K-WZ-01", "CQ-WZ-T01")]

CITIZENS = [
    # name, gender, birth date, area code, sequence, demo card state (None = no card yet)
    ("张三", "M", dt.date(1985, 6, 15), "500103", 11, CardState.ACTIVE),
    ("李四", "F", dt.date(1990, 3, 8), "500105", 22, CardState.MADE),
    ("王五", "M", dt.date(1978, 11, 2), "500101", 33, CardState.LOST_TEMP),
    ("赵六", "F", dt.date(1995, 1, 20), "500112", 44, CardState.LOCKED),
    ("陈七", "M", dt.date(2000, 9, 9), "500103", 55, None),
]

# How a card reaches its demo state from "made".
CARD_PATH = {
    CardState.MADE: [],
    CardState.ACTIVE: [CardEvent.ACTIVATE],
    CardState.LOST_TEMP: [CardEvent.ACTIVATE, CardEvent.REPORT_LOSS_TEMP],
    CardState.LOCKED: [CardEvent.ACTIVATE, CardEvent.LOCK],
}


def demo_id_number(birth: dt.date, area: str, sequence: int, gender: str) -> str:
    """A valid 18-digit ID number (GB 11643): the sequence's last digit is odd for men, even for women."""
    order = sequence * 10 + (1 if gender == "M" else 2)
    first17 = f"{area}{birth:%Y%m%d}{order % 1000:03d}"
    return first17 + check_digit(first17)


class Command(BaseCommand):
    help = "载入演示数据（网点、各角色工作人员、自助机、APP用户及不同状态的社保卡），并打印演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="SSCARD_DEBUG 关闭时也执行（切勿用于生产库）")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示数据含公开的演示密码，SSCARD_DEBUG 关闭时拒绝载入（确需载入请加 --force）")
        if not FeeRule.objects.exists():
            raise CommandError("收费标准为空：请先执行 manage.py migrate（fees 迁移会写入默认收费标准）")
        self._holidays()
        actor = Actor.system("load_demo_data")
        with transaction.atomic():
            created = {"outlets": 0, "staff": 0, "kiosks": 0, "persons": 0, "accounts": 0, "cards": 0,
                       "employers": 0, "work_items": 0}
            outlets = self._outlets(created)
            self._staff(outlets, created)
            kiosks = self._kiosks(outlets, created)
            citizens = self._citizens(actor, outlets, created)
            employer = self._employer(citizens, created)
            work_item = self._work_item(citizens, outlets, created)
            audit_record(event_type=AuditEventType.DEMO_DATA_LOADED, actor=actor, subject_type="demo", subject_id="demo",
                         data={"created": created})
        tokens = [(k, kiosk_token_issue(actor=actor, kiosk=k)) for k in kiosks]
        self._print(outlets, tokens, citizens, created, FeeRule.objects.filter(is_active=True).count())
        self.stdout.write(f"\n用人单位 Employer (batches): {employer.name}  统一社会信用代码 {employer.uscc}; "
                          f"handler 经办人: {citizens[0][0]} {citizens[0][1]}\n"
                          "  templates: GET /api/v1/batches/templates/new_card.xlsx; submit: POST /api/v1/batches")
        self.stdout.write(f"\n12333转办工单 Work item: {work_item.work_item_no} ({work_item.category}) to "
                          f"{work_item.outlet.name}; open it as clerk_yz or supervisor at /work-items/")
        photo = settings.VAR_DIR / "demo-photo.jpg"
        shutil.copyfile(SAMPLE_PHOTO, photo)
        self.stdout.write(f"\n示例证件照 Sample ID photo to upload at the window (passes the photo rule): {photo}\n"
                          "页面 Pages: the site root /  (window clerk: clerk_yz / demo-pass-123)")

    def _employer(self, citizens, created):
        """A demo unit whose handler is the first app user (张三), for trying employer batches: registered
        at the Yuzhong window by its clerk, as a unit would be."""
        clerk = Actor.for_staff(StaffMember.objects.get(user__username="clerk_yz"))
        registered = employer_register(actor=clerk, uscc=make_uscc(body8="MA5UDEM1"), name="重庆示例科技有限公司",
                                       address="重庆市渝中区解放碑街道示例路1号")
        created["employers"] += registered.created
        name, number = citizens[0][0], citizens[0][1]
        handler_add(actor=clerk, employer_id=registered.employer.pk, doc_type="id_card", number=number, name=name)
        return registered.employer

    def _work_item(self, citizens, outlets, created) -> WorkItem:
        """One work item for the window's and the supervisor's lists: the 12333 operator verifies the second
        demo citizen (a made card waiting to be activated) and sends an appointment to the Yuzhong outlet,
        through the hotline's services as on a call; kept as it is on a rerun."""
        name, number, _state, card_no = citizens[1]
        outlet = outlets["CQ-YZ-001"]
        person = Person.objects.get(id_hash=id_hash(number))
        existing = WorkItem.objects.filter(person=person, outlet=outlet).select_related("outlet").first()
        if existing is not None:
            return existing
        operator = Actor.for_staff(StaffMember.objects.get(user__username="hotline"))
        caller = caller_verify(actor=operator, card_no=card_no, name=name, id_number=number)
        item = work_item_create(actor=operator, caller=caller, outlet_id=outlet.pk, category="预约办理",
                                note="来电人的社保卡已制成，想预约到网点领取并启用，请回电确认办理时间。",
                                contact_phone="13800001001")
        created["work_items"] += 1
        return item

    def _holidays(self):
        """Load this year's and next year's announced holidays (so due dates are not provisional)."""
        for year in (clock.today().year, clock.today().year + 1):
            if workday_rules.chinesecalendar_knows(year):
                call_command("import_holidays", "--from-chinesecalendar", str(year), stdout=StringIO())

    def _outlets(self, created) -> dict[str, Outlet]:
        out = {}
        for code, name, district, level, pad, archive, device in OUTLETS:
            outlet, new = Outlet.objects.get_or_create(code=code, defaults=dict(
                name=name, district=district, level=level, has_signature_pad=pad, has_digital_archive=archive,
                issuance_status=device))
            created["outlets"] += new
            out[code] = outlet
        return out

    def _staff(self, outlets, created):
        User = get_user_model()
        for username, role, outlet_code, display in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, password=STAFF_PASSWORD)
            if username == SUPERUSER and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            _, new = StaffMember.objects.get_or_create(user=user, defaults=dict(
                role=role, outlet=outlets[outlet_code] if outlet_code else None, display_name=display,
                window="1号窗口" if role == StaffRole.CLERK else ""))
            created["staff"] += new

    def _kiosks(self, outlets, created) -> list[KioskDevice]:
        out = []
        for code, outlet_code in KIOSKS:
            kiosk, new = KioskDevice.objects.get_or_create(code=code, defaults={"outlet": outlets[outlet_code]})
            created["kiosks"] += new
            out.append(kiosk)
        return out

    def _citizens(self, actor, outlets, created) -> list[tuple[str, str, str, str]]:
        rows = []
        now = clock.now()
        for i, (name, gender, birth, area, seq, state) in enumerate(CITIZENS):
            number = demo_id_number(birth, area, seq, gender)
            data = PersonData(doc_type="id_card", number=number, name=name, birth_date=birth, gender=gender,
                              ethnicity="汉族", phone=f"1380000{1000 + i:04d}",
                              address=f"重庆市{outlets['CQ-YZ-001'].district}民族路{100 + i}号")
            known = Person.objects.filter(id_hash=id_hash(number)).exists()
            person = person_find_or_create(data, who="演示人员", actor=actor)
            created["persons"] += not known
            _, new = CitizenAccount.objects.get_or_create(person=person, defaults=dict(
                password_hash=make_password(CITIZEN_PASSWORD), created_at=now))
            created["accounts"] += new
            card = Card.objects.filter(person=person, state__in=list(LIVE_STATES)).first()
            if card is None and state is not None:
                card = self._card(actor, person, state, outlets["CQ-YZ-001"])
                created["cards"] += 1
            if card is not None:
                self._chip(card)
            rows.append((name, number, card.state if card else "（无卡）", card.card_no if card else ""))
        return rows

    @staticmethod
    def _chip(card) -> None:
        """The demo card's chip in the simulated card terminal (PIN ``DEMO_CARD_PIN``), so the window's PIN
        businesses work on it; kept as it is on a rerun (a PIN changed in the demo stays changed)."""
        if not is_simulated("card_terminal"):
            return
        if not SimulatedChip.objects.filter(card_no=card.card_no).exists():
            SimulatedCardTerminal.provision(card.card_no, pin=DEMO_CARD_PIN,
                                            identification_code=card.identification_code)

    def _card(self, actor, person, state, outlet) -> Card:
        now = clock.now()
        card = card_make(actor=actor, new=NewCard(
            card_no=card_no_new(), identification_code=secrets.token_hex(16).upper(), person_id=person.pk,
            state=CardState.MADE, origin_channel="window", issued_outlet=outlet, delivery="counter",
            expires_on=clock.today().replace(year=clock.today().year + 10), audit_data={"demo": True}))
        for event in CARD_PATH[state]:
            card = card_lock(card.pk)
            extra = {"activated_at": now} if event == CardEvent.ACTIVATE else {}
            if event == CardEvent.REPORT_LOSS_TEMP:
                extra = {"temp_loss_expires_at": now + dt.timedelta(days=policy_setting("temp_loss_lapse_days"))}
            if event == CardEvent.LOCK:
                extra = {"pin_failures": policy_setting("pin_max_wrong_attempts")}
            card = card_apply_event(card=card, event=event, actor=actor, data={"demo": True}, extra_fields=extra)
        return card

    def _print(self, outlets, tokens, citizens, created, fee_rules):
        w = self.stdout.write
        w(self.style.SUCCESS("演示数据已就绪 / demo data ready: " +
                             ", ".join(f"{k}+{v}" for k, v in created.items()) + f", fee_rules={fee_rules}"))
        w("\n网点 Outlets:")
        for o in outlets.values():
            w(f"  {o.code:<10} {o.name}  [{o.get_level_display()}] 签字板={'有' if o.has_signature_pad else '无'} "
              f"电子档案={'有' if o.has_digital_archive else '无'} 发卡设备={o.get_issuance_status_display()}")
        w(f"\n工作人员 Staff (password: {STAFF_PASSWORD})  POST /api/v1/auth/staff-token")
        for username, role, outlet_code, display in STAFF:
            extra = "  + Django superuser for /admin/" if username == SUPERUSER else ""
            w(f"  {username:<11} {role.label:<10} {outlet_code or '-':<10} {display}{extra}")
        w("\n自助一体机 Kiosk tokens (Authorization: Bearer <token>; new each run):")
        for kiosk, raw in tokens:
            w(f"  {kiosk.code:<8} @{kiosk.outlet.code:<10} {raw}")
        w(f"\nAPP用户 App users (password: {CITIZEN_PASSWORD})  POST /api/v1/auth/citizen-token")
        for name, number, state, card_no in citizens:
            w(f"  {name}  {number}  card={card_no or '-'} state={state}")
        w(f"\n模拟社保卡芯片密码 Demo card PIN (simulated card terminal): {DEMO_CARD_PIN}")
