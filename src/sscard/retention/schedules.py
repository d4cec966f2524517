"""How long each kind of personal data is kept: one table of schedules, each a number of days from its
starting point, overridable in settings (``SSCARD_RETENTION = {"<kind>": days}``, which ``settings.py``
fills from ``SSCARD_RETENTION_<KIND>_DAYS``).  The defaults and why they are what they are are in
docs/OPERATIONS.md ("Retention"); the purge (``retention.purge``) reads only ``current()``.

The procedure says every window keeps the images of a business "for inspection" (各服务窗口将办理业务获取的
图像存档备查) and gives no period: the images of a completed business are archive records, kept for the
archive period of social-insurance business records (the archive office sets it; 30 years by default).
Audit records are bounded below by law (``SSCARD_AUDIT_MIN_RETENTION_DAYS``, six months by default, the
network-log minimum of the Cybersecurity Law, art. 21): the application never deletes an audit event,
and the access log (an audit record of reads) is never purged younger than that minimum.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

YEAR = 365


@dataclass(frozen=True)
class Schedule:
    kind: str
    days: int
    label: str  # Chinese: what is kept
    starts: str  # Chinese: from when
    action: str  # Chinese: what the purge does when it has passed


SCHEDULES = (
    Schedule("evidence_images", 30 * YEAR, "已办结业务的影像档案（凭证影像、办理场景影像、签名、介绍信）",
             "业务办结", "删除影像文件及其登记行"),
    Schedule("batch_files", 30 * YEAR, "已校验批次的报盘文件、扫描件压缩包和批次影像", "批次校验完成",
             "删除文件及批次影像"),
    Schedule("batch_work_files", 30, "批量校验的工作文件（分段数据、解析结果、压缩包目录）", "批次校验完成或失败",
             "删除文件"),
    Schedule("refused_applications", 180, "审核不通过、已作废的业务，退回的批量明细行，被拒收的批次文件",
             "业务不通过、作废或批次校验结束", "删除影像与文件，清除邮寄地址与明细数据"),
    Schedule("persons", 180, "无有效社保卡、无在办业务的人员信息", "其最后一项业务或卡片变更（另须其档案均已过期）",
             "匿名化（姓名、证件号码、手机、地址清除）"),
    Schedule("exchange_files", 90, "与银行、卡商交换的报盘回盘文件（出盘目录与已导入的回盘）", "文件记录生成或导入",
             "删除文件"),
    Schedule("access_log", 3 * YEAR, "查询访问记录（谁查看了谁的卡片信息）", "查看时间", "删除"),
    Schedule("tokens", 30, "过期或已吊销的接口令牌", "过期（已吊销的自签发）", "删除"),
    Schedule("sessions", 0, "过期的页面登录会话", "会话过期", "删除"),
    Schedule("notifications", 180, "已发送或发送失败的短信（内容已脱敏）", "最后一次发送", "删除"),
    Schedule("idempotency", 7, "幂等请求记录（含所存响应内容）", "记录时间", "删除"),
)
KINDS = tuple(s.kind for s in SCHEDULES)
AUDIT_MIN_DEFAULT = 180


@dataclass(frozen=True)
class Schedules:
    days: dict[str, int]
    audit_min_days: int

    def cutoff(self, kind: str, now: dt.datetime) -> dt.datetime:
        """What started before this instant is past its schedule."""
        days = self.days[kind]
        if kind == "access_log":
            days = max(days, self.audit_min_days)
        return now - dt.timedelta(days=days)

    def audit_cutoff(self, now: dt.datetime) -> dt.datetime:
        return now - dt.timedelta(days=self.audit_min_days)


def current() -> Schedules:
    """The schedules in force: the defaults, overridden by ``settings.SSCARD_RETENTION``; refuses
    (``ImproperlyConfigured``) an unknown kind, a negative or non-integer number of days, and an access-log
    schedule shorter than the audit minimum."""
    overrides = dict(getattr(settings, "SSCARD_RETENTION", {}) or {})
    unknown = sorted(set(overrides) - set(KINDS))
    if unknown:
        raise ImproperlyConfigured(f"SSCARD_RETENTION: unknown kinds {unknown}; known: {list(KINDS)}")
    days = {s.kind: s.days for s in SCHEDULES}
    for kind, value in overrides.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ImproperlyConfigured(f"SSCARD_RETENTION[{kind!r}] must be a whole number of days >= 0")
        days[kind] = value
    audit_min = getattr(settings, "SSCARD_AUDIT_MIN_RETENTION_DAYS", AUDIT_MIN_DEFAULT)
    if not isinstance(audit_min, int) or audit_min < AUDIT_MIN_DEFAULT:
        raise ImproperlyConfigured(f"SSCARD_AUDIT_MIN_RETENTION_DAYS must be at least {AUDIT_MIN_DEFAULT} "
                                   "(six months: Cybersecurity Law art. 21, MLPS 2.0 level 3)")
    if days["access_log"] < audit_min:
        raise ImproperlyConfigured("SSCARD_RETENTION['access_log'] is shorter than "
                                   "SSCARD_AUDIT_MIN_RETENTION_DAYS: the access log is an audit record")
    return Schedules(days=days, audit_min_days=audit_min)
