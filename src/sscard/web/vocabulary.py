"""The procedure's vocabulary as the pages show it, in the page's language.

The labels of the choices (businesses, roles, documents, card and request states, …) belong to the apps
that define them, in Chinese (the procedure's words; the API, the audit trail and the printed forms use
them as they are).  The pages show them through ``label(...)`` / the ``vocab`` filter, which look the
Chinese label up in the web app's catalogue under the choice's name as context (``pgettext``): in
Chinese it is the label itself, in English its translation.  This module lists every label once
(``pgettext_lazy`` with a Chinese msgid, so ``makemessages`` finds them); ``tests/test_i18n.py`` holds
it to the choices (every member listed, its msgid the choice's current label, translated in the
English catalogue).  A label that changes in its app falls back to the new Chinese until it is listed
again here.

Not listed, so shown in Chinese in either language: the audit event types and subject types (the
audit trail's own words), the catalogue's texts (materials, details, refusals), and the services'
refusal messages (shown with their stable error code).
"""

from django.db.models import Choices
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from sscard.desk import checklist as desk_checklist
from sscard.desk.choices import (
    Delivery,
    EvaluationLevel,
    FollowUpStatus,
    ProductionMode,
    RequestStatus,
    ReviewItem,
    ReviewTab,
    Step,
    Urgency,
    WorkItemState,
)
from sscard.fees.choices import PaymentMethod
from sscard.people.models import Person
from sscard.policy.choices import (
    ApplicantRole,
    Business,
    CardReason,
    CardState,
    Channel,
    DocType,
    PhotoRule,
)
from sscard.production.choices import OrderStage
from sscard.staff.choices import DeviceStatus, OutletLevel, StaffRole
from sscard.workdays.choices import DayKind

VOCABULARY: dict[type[Choices], dict[str, str]] = {
    Business: {
        Business.APPLY: pgettext_lazy("Business", "社保卡申领"),
        Business.ACTIVATE: pgettext_lazy("Business", "社保卡启用（激活）"),
        Business.REISSUE: pgettext_lazy("Business", "社保卡补领"),
        Business.REPLACE: pgettext_lazy("Business", "社保卡换领"),
        Business.RENEW: pgettext_lazy("Business", "社保卡换发"),
        Business.INFO_CHANGE: pgettext_lazy("Business", "社保卡信息变更"),
        Business.PIN_CHANGE: pgettext_lazy("Business", "社保卡密码修改"),
        Business.PIN_RESET: pgettext_lazy("Business", "社保卡密码重置"),
        Business.LOSS_REPORT: pgettext_lazy("Business", "社保卡挂失"),
        Business.LOSS_WITHDRAW: pgettext_lazy("Business", "社保卡解挂"),
        Business.UNLOCK: pgettext_lazy("Business", "社保卡解锁"),
        Business.STATUS_QUERY: pgettext_lazy("Business", "社保卡应用状态查询"),
        Business.CANCEL: pgettext_lazy("Business", "社保卡注销"),
        Business.ROLLBACK: pgettext_lazy("Business", "社保卡回退"),
    },
    ApplicantRole: {
        ApplicantRole.SELF: pgettext_lazy("ApplicantRole", "本人"),
        ApplicantRole.PROXY_ADULT: pgettext_lazy("ApplicantRole", "他人代办（成年人）"),
        ApplicantRole.PROXY_MINOR: pgettext_lazy("ApplicantRole", "他人代办（未成年人）"),
        ApplicantRole.UNIT: pgettext_lazy("ApplicantRole", "单位批量"),
    },
    Channel: {
        Channel.WINDOW: pgettext_lazy("Channel", "服务窗口"),
        Channel.KIOSK: pgettext_lazy("Channel", "自助一体机"),
        Channel.APP: pgettext_lazy("Channel", "重庆人社APP"),
        Channel.PHONE: pgettext_lazy("Channel", "12333电话"),
        Channel.BACK_OFFICE: pgettext_lazy("Channel", "后台"),
        Channel.SYSTEM: pgettext_lazy("Channel", "系统"),
    },
    DocType: {
        DocType.ID_CARD: pgettext_lazy("DocType", "居民身份证"),
        DocType.HMT_PERMIT: pgettext_lazy("DocType", "港澳台居民来往内地通行证"),
        DocType.PASSPORT: pgettext_lazy("DocType", "护照"),
        DocType.OFFICER_CARD: pgettext_lazy("DocType", "军官证"),
        DocType.HUKOU: pgettext_lazy("DocType", "户口簿"),
        DocType.SS_CARD: pgettext_lazy("DocType", "社会保障卡"),
        DocType.FOREIGNER_PR: pgettext_lazy("DocType", "外国人永久居留身份证"),
    },
    CardReason: {
        CardReason.LOST: pgettext_lazy("CardReason", "丢失"),
        CardReason.DAMAGED: pgettext_lazy("CardReason", "损坏"),
        CardReason.QUALITY_DEFECT: pgettext_lazy("CardReason", "质量问题"),
        CardReason.INFO_CHANGE: pgettext_lazy("CardReason", "信息变更"),
        CardReason.EXPIRED: pgettext_lazy("CardReason", "到期"),
        CardReason.OTHER: pgettext_lazy("CardReason", "其他"),
    },
    CardState: {
        CardState.MADE: pgettext_lazy("CardState", "已制卡未启用"),
        CardState.ACTIVE: pgettext_lazy("CardState", "正常"),
        CardState.LOST: pgettext_lazy("CardState", "正式挂失"),
        CardState.LOCKED: pgettext_lazy("CardState", "应用锁定"),
        CardState.LOST_TEMP: pgettext_lazy("CardState", "临时挂失"),
        CardState.CANCELLED: pgettext_lazy("CardState", "注销"),
        CardState.REPLACED: pgettext_lazy("CardState", "已换卡（旧卡终止）"),
        CardState.PRODUCED: pgettext_lazy("CardState", "补换新卡已制成待领取"),
    },
    PhotoRule: {
        PhotoRule.REQUIRED: pgettext_lazy("PhotoRule", "必须提供"),
        PhotoRule.OPTIONAL: pgettext_lazy("PhotoRule", "凭本人意愿提供"),
        PhotoRule.ON_CHANGE: pgettext_lazy("PhotoRule", "更换照片时提供"),
        PhotoRule.NONE: pgettext_lazy("PhotoRule", "无需照片"),
    },
    RequestStatus: {
        RequestStatus.PENDING_REVIEW: pgettext_lazy("RequestStatus", "待审核"),
        RequestStatus.AWAITING_VOUCHER: pgettext_lazy("RequestStatus", "待持凭证到窗口"),
        RequestStatus.AWAITING_SIGNATURE: pgettext_lazy("RequestStatus", "待签字表单回收"),
        RequestStatus.AWAITING_FEE: pgettext_lazy("RequestStatus", "待缴费或抵扣"),
        RequestStatus.IN_PRODUCTION: pgettext_lazy("RequestStatus", "制卡中"),
        RequestStatus.READY_FOR_PICKUP: pgettext_lazy("RequestStatus", "待领取"),
        RequestStatus.IN_TRANSIT: pgettext_lazy("RequestStatus", "邮寄中"),
        RequestStatus.COMPLETED: pgettext_lazy("RequestStatus", "已办结"),
        RequestStatus.REJECTED: pgettext_lazy("RequestStatus", "审核不通过"),
        RequestStatus.VOIDED: pgettext_lazy("RequestStatus", "已作废"),
    },
    Step: {
        Step.REVIEW: pgettext_lazy("Step", "审核"),
        Step.VOUCHER: pgettext_lazy("Step", "凭证到窗口"),
        Step.SIGNATURE: pgettext_lazy("Step", "纸质表单签字"),
        Step.FEE: pgettext_lazy("Step", "费用清缴或抵扣"),
    },
    ProductionMode: {
        ProductionMode.INSTANT: pgettext_lazy("ProductionMode", "现场制卡"),
        ProductionMode.DEFERRED: pgettext_lazy("ProductionMode", "设备或网络故障，24小时内制卡"),
        ProductionMode.CENTRAL: pgettext_lazy("ProductionMode", "集中制卡（网上申办，5个工作日）"),
        ProductionMode.BATCH: pgettext_lazy("ProductionMode", "单位批量集中制卡（10个工作日）"),
        ProductionMode.NONE: pgettext_lazy("ProductionMode", "无需制卡"),
    },
    Delivery: {
        Delivery.COUNTER: pgettext_lazy("Delivery", "窗口现场发放"),
        Delivery.PICKUP: pgettext_lazy("Delivery", "网点自取"),
        Delivery.POST: pgettext_lazy("Delivery", "邮寄到家"),
        Delivery.NONE: pgettext_lazy("Delivery", "无"),
    },
    Urgency: {
        Urgency.OVERDUE: pgettext_lazy("Urgency", "已超期"),
        Urgency.DUE_TODAY: pgettext_lazy("Urgency", "今日到期"),
        Urgency.LATER: pgettext_lazy("Urgency", "未到期"),
    },
    ReviewTab: {
        ReviewTab.PENDING: pgettext_lazy("ReviewTab", "待审"),
        ReviewTab.REJECTED: pgettext_lazy("ReviewTab", "已退回"),
        ReviewTab.APPROVED: pgettext_lazy("ReviewTab", "已通过"),
    },
    WorkItemState: {
        WorkItemState.OPEN: pgettext_lazy("WorkItemState", "待受理"),
        WorkItemState.ACCEPTED: pgettext_lazy("WorkItemState", "已受理"),
        WorkItemState.CLOSED: pgettext_lazy("WorkItemState", "已办结"),
        WorkItemState.CANCELLED: pgettext_lazy("WorkItemState", "已撤销"),
    },
    ReviewItem: {
        ReviewItem.PHOTO: pgettext_lazy("ReviewItem", "登记照"),
        ReviewItem.APPLICANT_DOC_IMAGE: pgettext_lazy("ReviewItem", "申办人身份证明图片"),
        ReviewItem.AGENT_DOC_IMAGE: pgettext_lazy("ReviewItem", "代办人身份证明图片"),
        ReviewItem.APPLICANT_NAME: pgettext_lazy("ReviewItem", "申办人姓名"),
        ReviewItem.APPLICANT_ID_NUMBER: pgettext_lazy("ReviewItem", "申办人证件号码"),
        ReviewItem.APPLICANT_BIRTH_DATE: pgettext_lazy("ReviewItem", "申办人出生日期"),
        ReviewItem.APPLICANT_PHONE: pgettext_lazy("ReviewItem", "联系电话"),
        ReviewItem.APPLICANT_ADDRESS: pgettext_lazy("ReviewItem", "居住地址"),
        ReviewItem.DELIVERY_ADDRESS: pgettext_lazy("ReviewItem", "邮寄地址"),
        ReviewItem.AGENT_NAME: pgettext_lazy("ReviewItem", "代办人姓名"),
        ReviewItem.AGENT_ID_NUMBER: pgettext_lazy("ReviewItem", "代办人证件号码"),
        ReviewItem.OTHER: pgettext_lazy("ReviewItem", "其他（见原因说明）"),
    },
    EvaluationLevel: {
        EvaluationLevel.VERY_SATISFIED: pgettext_lazy("EvaluationLevel", "非常满意"),
        EvaluationLevel.SATISFIED: pgettext_lazy("EvaluationLevel", "满意"),
        EvaluationLevel.BASICALLY_SATISFIED: pgettext_lazy("EvaluationLevel", "基本满意"),
        EvaluationLevel.DISSATISFIED: pgettext_lazy("EvaluationLevel", "不满意"),
        EvaluationLevel.VERY_DISSATISFIED: pgettext_lazy("EvaluationLevel", "非常不满意"),
    },
    FollowUpStatus: {
        FollowUpStatus.OPEN: pgettext_lazy("FollowUpStatus", "待整改"),
        FollowUpStatus.CLOSED: pgettext_lazy("FollowUpStatus", "已整改"),
    },
    PaymentMethod: {
        PaymentMethod.PAID: pgettext_lazy("PaymentMethod", "缴费"),
        PaymentMethod.OFFSET: pgettext_lazy("PaymentMethod", "抵扣"),
    },
    DeviceStatus: {
        DeviceStatus.WORKING: pgettext_lazy("DeviceStatus", "正常"),
        DeviceStatus.DEVICE_FAILED: pgettext_lazy("DeviceStatus", "设备故障"),
        DeviceStatus.NETWORK_FAILED: pgettext_lazy("DeviceStatus", "网络故障"),
    },
    OutletLevel: {
        OutletLevel.DISTRICT: pgettext_lazy("OutletLevel", "区县"),
        OutletLevel.TOWNSHIP: pgettext_lazy("OutletLevel", "乡镇（街道）"),
    },
    StaffRole: {
        StaffRole.CLERK: pgettext_lazy("StaffRole", "窗口经办员"),
        StaffRole.REVIEWER: pgettext_lazy("StaffRole", "审核员"),
        StaffRole.SUPERVISOR: pgettext_lazy("StaffRole", "主管"),
        StaffRole.AUDITOR: pgettext_lazy("StaffRole", "审计员"),
        StaffRole.HOTLINE: pgettext_lazy("StaffRole", "12333话务员"),
        StaffRole.ADMIN: pgettext_lazy("StaffRole", "系统管理员"),
    },
    DayKind: {
        DayKind.HOLIDAY: pgettext_lazy("DayKind", "法定节假日（休息）"),
        DayKind.WORKDAY: pgettext_lazy("DayKind", "调休上班"),
    },
    OrderStage: {
        OrderStage.GENERATED: pgettext_lazy("OrderStage", "已生成"),
        OrderStage.BANK_SENT: pgettext_lazy("OrderStage", "已报送银行"),
        OrderStage.BANK_DONE: pgettext_lazy("OrderStage", "银行已回盘"),
        OrderStage.VENDOR_SENT: pgettext_lazy("OrderStage", "已报送卡商"),
        OrderStage.VENDOR_DONE: pgettext_lazy("OrderStage", "卡商已回盘"),
        OrderStage.IN_TRANSIT: pgettext_lazy("OrderStage", "配送至网点中"),
        OrderStage.ARRIVED: pgettext_lazy("OrderStage", "网点已签收"),
        OrderStage.CLOSED: pgettext_lazy("OrderStage", "已结束"),
    },
    Person.Gender: {
        Person.Gender.MALE: pgettext_lazy("Gender", "男"),
        Person.Gender.FEMALE: pgettext_lazy("Gender", "女"),
    },
}

# The details a person's record has (``people.services.FIELD_LABELS``: the information change's fields).
PERSON_FIELDS = {
    "address": pgettext_lazy("PersonField", "居住地址"), "phone": pgettext_lazy("PersonField", "联系电话"),
    "name": pgettext_lazy("PersonField", "姓名"), "id_number": pgettext_lazy("PersonField", "身份证件号码"),
    "birth_date": pgettext_lazy("PersonField", "出生日期"), "gender": pgettext_lazy("PersonField", "性别"),
    "ethnicity": pgettext_lazy("PersonField", "民族"), "nationality": pgettext_lazy("PersonField", "国籍"),
    "id_type": pgettext_lazy("PersonField", "证件类型"),
}

# The materials checklist's items and their fixed details (``desk.checklist``); a detail naming the
# documents is built again here from the catalogue cell (``checklist_item``).
CHECKLIST_TEXTS = [
    pgettext_lazy("ChecklistItem", "申办人身份凭证"), pgettext_lazy("ChecklistItem", "代办人身份凭证"),
    pgettext_lazy("ChecklistItem", "1寸白底免冠登记照"),
    pgettext_lazy("ChecklistItem", "凭证影像"),
    pgettext_lazy("ChecklistItem", "拍摄或扫描所出示的身份凭证（留存复印件加盖核对水印）"),
    pgettext_lazy("ChecklistItem", "办理场景影像"), pgettext_lazy("ChecklistItem", "现场拍摄办理人"),
    pgettext_lazy("ChecklistItem", "纸质资料存档编号"),
    pgettext_lazy("ChecklistItem", "本网点不具备数字化条件：复印凭证纸质存档并登记编号"),
    pgettext_lazy("ChecklistItem", "签字板签名"), pgettext_lazy("ChecklistItem", "请办理人在签字板上签名"),
    pgettext_lazy("ChecklistItem", "纸质表单签字"),
    pgettext_lazy("ChecklistItem", "本网点无签字板：打印业务表单，签字后登记表单编号"),
]

# Texts of other apps the pages show that are not a choice's label.
OTHER_TEXTS = [
    pgettext_lazy("ReviewItem", "其他影像"),  # desk.review: the image of the "other" review item
    # desk.selectors.request_form_rows: the rows of a business (no context: text(label) finds them)
    gettext_lazy("业务"), gettext_lazy("办理方式"), gettext_lazy("申办人"), gettext_lazy("申办人证件"),
    gettext_lazy("代办人"), gettext_lazy("代办人证件"), gettext_lazy("原因"), gettext_lazy("原社保卡号"),
    gettext_lazy("应缴费用"), gettext_lazy("受理时间"),
]

# The tabs of the work-item list (``desk.selectors.WORK_ITEM_TABS``, by key).
WORK_ITEM_TABS = {
    "pending": pgettext_lazy("WorkItemTab", "待办（待受理、已受理）"),
    "done": pgettext_lazy("WorkItemTab", "已办结、已撤销"),
}

_CONTEXTS = {cls: "Gender" if cls is Person.Gender else cls.__name__ for cls in VOCABULARY}


_BY_NAME = {name: cls for cls, name in _CONTEXTS.items()}


def context_of(choices: type[Choices]) -> str:
    return _CONTEXTS[choices]


def label_by_name(value, choices_name: str) -> str:
    """``label`` with the choice named as its context (``"DayKind"``): the templates' ``choice`` filter."""
    return label(_BY_NAME[choices_name], value)


def label(choices: type[Choices], value) -> str:
    """The label of one value of a choice, in the page's language (the value itself when unknown)."""
    if value not in choices.values:
        return "" if value is None else str(value)
    return pgettext(_CONTEXTS[choices], str(choices(value).label))


def text(chinese, context: str = "") -> str:
    """A Chinese label handed over by another app (a selector's ``status_label``), in the page's language:
    under ``context`` (a choice's name, ``PersonField``, …), or, without one, any msgid of the catalogue
    or any choice's label (the first that has it); the text as given when none does."""
    if chinese is None:
        return ""
    chinese = str(chinese)
    if context:
        return pgettext(context, chinese)
    found = gettext(chinese)
    if found != chinese:
        return found
    for cls, name in _CONTEXTS.items():
        if chinese in _labels(cls):
            return pgettext(name, chinese)
    head, space, rest = chinese.partition(" ")  # a label and its value: 居民身份证 5001**********1234
    if space and rest:
        shown = text(head)
        if shown != head:
            return f"{shown} {rest}"
    return chinese


def _labels(cls) -> set[str]:
    return {str(m.label) for m in cls}


def choices_of(choices: type[Choices], values=None) -> list[tuple[str, str]]:
    """(value, label) pairs for a form or a list, labels lazy (translated when rendered)."""
    values = choices.values if values is None else values
    return [(v, label_lazy(choices, v)) for v in values]


def doc_list(docs) -> str:
    """Document types by name, in the page's language (``policy.rules.doc_list``)."""
    return pgettext("list separator", "、").join(label(DocType, d) for d in docs)


def checklist_item(item, checklist) -> dict:
    """One item of a materials checklist as the page shows it: its label and detail in the page's
    language (a detail that names the documents, from the cell; the photo rule by its label)."""
    detail = text(item.detail, "ChecklistItem")
    if item.key in ("applicant_doc", "agent_doc"):
        docs = checklist.cell.applicant_docs if item.key == "applicant_doc" else checklist.cell.agent_docs
        detail = pgettext("checklist", "%(docs)s之一（原件）") % {"docs": doc_list(docs)}
    elif item.key == "photo":
        detail = label(PhotoRule, checklist.cell.photo)
    return {"key": item.key, "label": text(item.label, "ChecklistItem"), "detail": detail,
            "required": item.required}


def window_roles(business: str) -> list[tuple[str, str]]:
    """``desk.checklist.window_roles`` (the roles a window offers a business to), labelled in the page's
    language."""
    return [(role, label(ApplicantRole, role)) for role, _label in desk_checklist.window_roles(business)]


label_lazy = lazy(label, str)
text_lazy = lazy(text, str)
