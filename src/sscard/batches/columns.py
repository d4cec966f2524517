"""The columns of the batch workbooks (《制卡明细表》 and 《补换卡明细表》), as data, in one place.

The template builder, the instructions sheet and (later) the importer all read these definitions, so a
column's header, whether it is required, its drop-down values and its text format are stated once.
"""

import functools
from dataclasses import dataclass

from django.conf import settings

from sscard.policy.choices import CardReason, DocType

NEW_CARD = "new_card"
REISSUE = "reissue"
KINDS = (NEW_CARD, REISSUE)

SHEET_TITLES = {NEW_CARD: "制卡明细表", REISSUE: "补换卡明细表"}

# Document types a batch row may carry: every DocType except the card itself (a card is not an
# identity document for applying for a card).
DOC_TYPE_CHOICES = tuple(label for value, label in DocType.choices if value != DocType.SS_CARD)

DOC_TYPE_BY_LABEL = {label: value for value, label in DocType.choices if label in DOC_TYPE_CHOICES}

GENDERS = ("男", "女")

# The 56 ethnic groups of China, in the order of GB/T 3304.
ETHNIC_GROUPS = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)

# 中国 first, then frequent nationalities; the drop-down warns on other values but accepts them.
NATIONALITIES = (
    "中国", "美国", "英国", "法国", "德国", "意大利", "西班牙", "葡萄牙", "荷兰", "比利时",
    "瑞士", "瑞典", "挪威", "丹麦", "芬兰", "奥地利", "爱尔兰", "波兰", "俄罗斯", "乌克兰",
    "日本", "韩国", "朝鲜", "蒙古", "越南", "老挝", "柬埔寨", "泰国", "缅甸", "马来西亚",
    "新加坡", "印度尼西亚", "菲律宾", "印度", "巴基斯坦", "孟加拉国", "尼泊尔", "斯里兰卡", "哈萨克斯坦", "土耳其",
    "伊朗", "以色列", "沙特阿拉伯", "阿联酋", "埃及", "南非", "尼日利亚", "肯尼亚", "加拿大", "墨西哥",
    "巴西", "阿根廷", "智利", "秘鲁", "哥伦比亚", "澳大利亚", "新西兰",
)

# Configurable: the banks that open the card's financial account.  Override with the Django setting
# SSCARD_SERVICE_BANKS (a list of names) when the cooperating banks change.
DEFAULT_SERVICE_BANKS = (
    "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行",
    "中国邮政储蓄银行", "重庆农村商业银行", "重庆银行",
)

# Batch reissue row: business label -> catalogue business; reasons from the CardReason vocabulary.
REISSUE_BUSINESSES = {"补领": "reissue", "换领": "replace", "换发": "renew"}
REISSUE_REASONS = tuple(r.label for r in (CardReason.DAMAGED, CardReason.LOST, CardReason.INFO_CHANGE,
                                          CardReason.EXPIRED, CardReason.OTHER))
REASON_BY_LABEL = {c.label: c.value for c in CardReason if c.label in REISSUE_REASONS}
YES_NO = ("是", "否")

MAX_DATA_ROWS = 100_000  # rows 2..100001 carry validations and formats
DATE_NOTE = "格式：YYYY-MM-DD，例如 1990-01-31"


def service_banks() -> tuple[str, ...]:
    """The service banks offered in the drop-down (setting SSCARD_SERVICE_BANKS, else the default)."""
    return tuple(getattr(settings, "SSCARD_SERVICE_BANKS", None) or DEFAULT_SERVICE_BANKS)


@dataclass(frozen=True)
class Column:
    """One column of a batch workbook.

    ``required``: must be filled on every row (conditional requirements are stated in ``note``).
    ``choices``: drop-down values (empty: free input).  ``strict``: refuse values outside ``choices``
    (otherwise Excel only warns).  ``text``: formatted as text so Excel keeps digits and leading zeros.
    """

    key: str
    header: str
    required: bool
    choices: tuple[str, ...] = ()
    text: bool = False
    width: int = 14
    note: str = ""
    strict: bool = True


def _identity_columns() -> list[Column]:
    return [
        Column("seq", "序号", True, width=8, note="从 1 开始的行号，用于错误回执中定位本行"),
        Column("name", "姓名", True, width=14, note="与证件一致；少数民族或外籍人员姓名中的间隔符用“·”"),
        Column("doc_type", "证件类型", True, DOC_TYPE_CHOICES, width=26, note="从下拉列表选择"),
        Column("doc_number", "证件号码", True, text=True, width=22,
               note="居民身份证为 18 位，末位校验码须正确（X 大写）；按文本填写，勿用科学计数法"),
        Column("gender", "性别", True, GENDERS, width=8, note="与证件一致；居民身份证须与号码第 17 位相符"),
        Column("ethnicity", "民族", False, ETHNIC_GROUPS, width=12, note="中国国籍必填，从下拉列表选择"),
        Column("birth_date", "出生日期", True, text=True, width=14,
               note=DATE_NOTE + "；居民身份证须与号码中的出生日期相符"),
        Column("nationality", "国籍", True, NATIONALITIES, width=14, strict=False,
               note="从下拉列表选择；列表中没有的国家可直接填写中文名称"),
        Column("doc_valid_until", "证件有效期", False, text=True, width=16,
               note="证件有效期截止日，" + DATE_NOTE + "；长期有效填“长期”；户口簿可留空"),
        Column("phone", "联系手机", True, text=True, width=16, note="11 位手机号码，按文本填写"),
        Column("address", "通讯地址", True, width=36, note="用于联系和邮寄的详细地址"),
        Column("service_bank", "服务银行", True, service_banks(), width=20, note="开通金融账户的合作银行，从下拉列表选择"),
        Column("guardian_doc_type", "监护人证件类型", False, DOC_TYPE_CHOICES, width=26,
               note="未满 18 周岁（未成年人）必填，从下拉列表选择"),
        Column("guardian_doc_number", "监护人证件号码", False, text=True, width=22,
               note="未满 18 周岁（未成年人）必填；按文本填写"),
        Column("guardian_name", "监护人姓名", False, width=14, note="未满 18 周岁（未成年人）必填"),
    ]


def _reissue_columns() -> list[Column]:
    return [
        Column("business", "业务类型", True, tuple(REISSUE_BUSINESSES), width=10,
               note="补领：卡丢失后补办；换领：卡损坏、信息变更等换新卡；换发：卡到期换新卡"),
        Column("reason", "原因", True, REISSUE_REASONS, width=12, note="从下拉列表选择"),
        Column("photo_changed", "是否更换照片", True, YES_NO, width=14,
               note="选“是”时须提供新照片扫描件（以证件号码命名）"),
    ]


def columns(kind: str) -> tuple[Column, ...]:
    """The columns of workbook ``kind`` (``new_card`` or ``reissue``), in sheet order."""
    return _columns(kind, service_banks())


@functools.lru_cache(maxsize=16)
def _columns(kind: str, banks: tuple[str, ...]) -> tuple[Column, ...]:  # banks: part of the cache key
    if kind == NEW_CARD:
        return tuple(_identity_columns())
    if kind == REISSUE:
        return tuple(_identity_columns() + _reissue_columns())
    raise KeyError(kind)


def headers(kind: str) -> list[str]:
    """The Chinese header row of workbook ``kind``."""
    return [c.header for c in columns(kind)]


# Rules printed on the instructions sheet (the importer enforces them).
GENERAL_RULES = (
    "每位制卡人填写一行，不要合并单元格，不要修改表头、工作表名称或列的顺序。",
    "标注“必填”的列每行都必须填写；条件必填的列在满足条件时必须填写。",
    "证件号码、联系手机、日期等列已设为文本格式，请勿改为数值格式，避免号码被截断或变成科学计数法。",
    "居民身份证号码为 18 位，最后一位为校验码（0-9 或大写 X），校验不通过的行将被退回。",
    "未满 18 周岁的未成年人须填写监护人证件类型、证件号码和姓名。",
    "同一文件内证件号码不得重复；已有有效社保卡或正在办理中的人员将被退回并注明原因。",
    ("扫描件打包为一个 zip 文件，以制卡人证件号码命名：照片为“证件号码.jpg”（未成年人可不提供）；"
    "成年人身份证正反面为“证件号码_正面.jpg”“证件号码_反面.jpg”；"
    "未成年人户口簿本人页和增减页为“证件号码_户口本人页.jpg”“证件号码_户口增减页.jpg”。"),
    "照片为 1 寸白底免冠登记照，JPEG 格式，358×441 像素。",
    "文件提交后逐行校验：通过的行转为制卡申请，未通过的行以错误回执（原表加“退回原因”列）退回，修改后可重新提交。",
)

REISSUE_RULES = (
    "业务类型：补领（卡丢失）、换领（卡损坏、信息变更等）、换发（卡到期）。",
    "是否更换照片选“是”的，须在 zip 文件中提供新照片扫描件。",
)


def rules(kind: str) -> tuple[str, ...]:
    """The filling rules of workbook ``kind``, in the order printed."""
    return GENERAL_RULES + (REISSUE_RULES if kind == REISSUE else ())
