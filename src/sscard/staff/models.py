"""Outlets, staff, kiosk devices, citizen app accounts and the API tokens they call with."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from sscard.staff.choices import DeviceStatus, OutletLevel, StaffRole


class Outlet(models.Model):
    """A service window site: a district (区县) or township/street (乡镇/街道) outlet.

    ``has_signature_pad`` decides signature pad vs printed form; ``has_digital_archive`` decides archived
    images vs a paper-archive reference; ``issuance_status`` decides instant issuance vs the 24-hour limit.
    """

    code = models.CharField("网点代码", max_length=32, unique=True)
    name = models.CharField("网点名称", max_length=100)
    district = models.CharField("所属区县", max_length=50)
    level = models.CharField("网点级别", max_length=16, choices=OutletLevel.choices)
    has_signature_pad = models.BooleanField("有签字板", default=True,
                                            help_text="有签字板则电子签名，否则打印表单纸质签字")
    has_digital_archive = models.BooleanField("有电子档案", default=True,
                                              help_text="有则材料影像归档，否则登记纸质档案编号")
    issuance_status = models.CharField("即时制卡设备状态", max_length=20, choices=DeviceStatus.choices,
                                       default=DeviceStatus.WORKING,
                                       help_text="正常则现场制卡；设备或网络故障时改为 24 小时内制卡")
    accepts_pickup = models.BooleanField("提供领卡服务", default=True, help_text="可被选为网点自取的领卡网点")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务网点"

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """A member of staff: one role, and the outlet they work at (window clerks must have one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff",
                                verbose_name="登录用户")
    role = models.CharField("岗位角色", max_length=16, choices=StaffRole.choices)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
                               verbose_name="所在网点", help_text="窗口经办员必须填写")
    display_name = models.CharField("姓名", max_length=50)
    window = models.CharField("窗口号", max_length=20, blank=True, help_text="窗口经办员所在的窗口，如 3号窗口")

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"
        constraints = [
            models.CheckConstraint(condition=~models.Q(role=StaffRole.CLERK) | models.Q(outlet__isnull=False),
                                   name="clerk_has_an_outlet"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"


class KioskDevice(models.Model):
    """A self-service kiosk (自助一体机), placed at an outlet; it calls the API with its device token."""

    code = models.CharField("设备编号", max_length=32, unique=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="kiosks", verbose_name="所在网点")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "自助一体机"

    def __str__(self):
        return self.code


class CitizenAccount(models.Model):
    """A citizen's “重庆人社” app account, bound to the person it belongs to (real-name)."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="app_account",
                                  verbose_name="实名人员")
    password_hash = models.CharField("密码哈希", max_length=200, help_text="仅保存密码哈希，不保存明文")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("开通时间")

    class Meta:
        verbose_name = verbose_name_plural = "APP用户账户"


class ApiToken(models.Model):
    """Bearer token for devices, the app and staff API clients.  Only a SHA-256 of the token is kept."""

    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        KIOSK = "kiosk", "自助一体机"
        CITIZEN = "citizen", "APP用户"

    token_hash = models.CharField("令牌哈希", max_length=64, unique=True, help_text="令牌的 SHA-256，不保存令牌本身")
    kind = models.CharField("持有者类别", max_length=10, choices=Kind.choices)
    staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.CASCADE,
                              verbose_name="工作人员")
    kiosk = models.ForeignKey(KioskDevice, null=True, blank=True, on_delete=models.CASCADE,
                              verbose_name="自助一体机")
    citizen = models.ForeignKey(CitizenAccount, null=True, blank=True, on_delete=models.CASCADE,
                                verbose_name="APP用户账户")
    created_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("过期时间", null=True, blank=True,
                                      help_text="绝对有效期；留空时按持有者类别的最长有效期计算")
    # Written at most once a minute per token (sscard.api.auth), so the idle timeout costs no write per request.
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=20, blank=True,
                                      help_text="sign_out 退出登录、replaced 新登录替代、rotated 轮换、disabled 账户停用、revoked 吊销")

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @staticmethod
    def new_raw_token() -> str:
        return secrets.token_urlsafe(32)


class StaffSession(models.Model):
    """A page session of a staff member (its Django session key), so disabling the member ends every one of
    their sessions at once without scanning the session table.  Written at sign-in, removed at sign-out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions",
                             verbose_name="登录用户")
    session_key = models.CharField("会话标识", max_length=40, unique=True)
    created_at = models.DateTimeField("登录时间")

    class Meta:
        verbose_name = verbose_name_plural = "工作人员会话"
