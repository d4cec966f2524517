"""Forms of the supervisor's pages: they parse what the browser sends (dates, numbers, choices) into
values and say in the page's language what cannot be read (labels and messages lazy: translated when
shown).  The rules on those values are the services' (a form only parses), so a value the form lets
through may still be refused by the service, shown the same way (its message in the services' Chinese).
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sscard.audit.choices import AuditEventType
from sscard.audit.selectors import SUBJECT_TYPE_LABELS
from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.desk.workload import MAX_DAYS
from sscard.policy.choices import Business, CardReason
from sscard.staff.choices import DeviceStatus, StaffRole
from sscard.web.vocabulary import choices_of
from sscard.workdays.choices import DayKind

DEFAULT_PERIOD_DAYS = 7
DATE_ERRORS = {"invalid": _("请输入有效的日期，格式如 2026-03-02")}
DATETIME_ERRORS = {"invalid": _("请输入有效的时间，格式如 2026-03-02 09:30")}
CHOICE_ERRORS = {"invalid_choice": _("所选项不存在，请从列表中选择")}


class PageForm(forms.Form):
    """Inputs named ``field-<name>`` (the error summary links there), labels without a colon, and the
    errors as the page shows them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "field-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        """A service's refusal, at the field it names (``details.field``) or for the whole form."""
        field = exc.details.get("field") if isinstance(exc.details, dict) else None
        self.add_error(field if field in self.fields else None, exc.message)

    def page_errors(self) -> dict[str, str]:
        """{field: first message} (``__all__`` for the form's own), and the invalid inputs marked."""
        out = {}
        for name, errors in self.errors.items():
            out[name] = errors[0]
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true",
                                                       "aria-describedby": f"{name}-error"})
        return out


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------- the dashboard


class DashboardFilter(PageForm):
    outlet = forms.TypedChoiceField(label=_("网点"), required=False, coerce=int, empty_value=None,
                                    error_messages={"invalid_choice": _("所选网点不存在，请从列表中选择")})
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=_date_input(),
                                error_messages=DATE_ERRORS)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=_date_input(),
                              error_messages=DATE_ERRORS)
    device = forms.ChoiceField(label=_("设备"), required=False, error_messages=CHOICE_ERRORS,
                               choices=[("", _("全部网点")), ("failed", _("仅看设备故障的网点"))])

    def __init__(self, *args, outlets: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].choices = [("", gettext("全部网点")), *outlets]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = clock.today()
        start, end = data.get("date_from"), data.get("date_to")
        if end is None:
            end = max(start, today) if start and start > today else today
        if start is None:
            start = end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if end > today:
            self.add_error("date_to", gettext("结束日期不能晚于今天"))
        elif start > end:
            self.add_error("date_from", gettext("开始日期不能晚于结束日期"))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("date_from", gettext("统计期间最长 %(days)s 天，请缩短") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = start, end
        return data


class DeviceSwitchForm(PageForm):
    status = forms.ChoiceField(label=_("制卡设备状态"), choices=choices_of(DeviceStatus), error_messages={
        "required": _("请选择制卡设备状态"),
        "invalid_choice": _("制卡设备状态无效，应为正常、设备故障或网络故障")})
    note = forms.CharField(label=_("说明"), required=False, strip=True)


# ---------------------------------------------------------------- audit search


def _role_choices():
    return [("", _("任意角色")), *choices_of(StaffRole), ("kiosk", _("自助一体机")),
            ("citizen", _("APP用户")), ("system", _("系统"))]


class AuditSearchForm(PageForm):
    subject_type = forms.ChoiceField(label=_("对象类型"), required=False, error_messages=CHOICE_ERRORS,
                                     choices=[("", _("任意对象")), *SUBJECT_TYPE_LABELS.items()])
    number = forms.CharField(label=_("对象编号"), required=False, max_length=40,
                             help_text=_("业务编号、社保卡号、批次号或对象ID；也找出提及该编号的记录"),
                             error_messages={"max_length": _("编号最多 40 个字符")})
    actor_name = forms.CharField(label=_("操作人"), required=False, max_length=50,
                                 help_text=_("姓名或其中一部分"),
                                 error_messages={"max_length": _("操作人最多 50 个字符")})
    actor_role = forms.ChoiceField(label=_("操作人角色"), required=False, choices=_role_choices,
                                   error_messages=CHOICE_ERRORS)
    event_type = forms.ChoiceField(label=_("事件类型"), required=False, error_messages=CHOICE_ERRORS,
                                   choices=[("", _("任意事件")), *AuditEventType.choices])
    at_from = forms.DateTimeField(label=_("开始时间"), required=False, widget=_datetime_input(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                  error_messages=DATETIME_ERRORS)
    at_to = forms.DateTimeField(label=_("结束时间"), required=False, widget=_datetime_input(),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                error_messages=DATETIME_ERRORS, help_text=_("含该分钟"))
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, widget=forms.HiddenInput,
                              error_messages={"invalid": _("页码须为正整数"),
                                              "min_value": _("页码须为正整数"),
                                              "max_value": _("页码过大")})

    def clean(self):
        data = super().clean()
        start, end = data.get("at_from"), data.get("at_to")
        if start and end and start > end:
            self.add_error("at_from", gettext("开始时间不能晚于结束时间"))
        if end:
            data["at_to_exclusive"] = end + dt.timedelta(minutes=1)
        return data


# ---------------------------------------------------------------- settings


class OutletSettingsForm(PageForm):
    has_signature_pad = forms.BooleanField(label=_("配备数字签字板"), required=False,
                                           help_text=_("未配备时打印业务表单，签字后留存"))
    has_digital_archive = forms.BooleanField(label=_("具备数字化存档条件"), required=False,
                                             help_text=_("不具备时保存资料原件，登记纸质档案编号"))
    accepts_pickup = forms.BooleanField(label=_("提供社保卡领取服务"), required=False,
                                        help_text=_("网上申办时可选为领卡网点"))
    is_active = forms.BooleanField(label=_("网点在用"), required=False)


class AmountField(forms.DecimalField):
    """An amount in yuan with at most two decimals, given to the services in fen."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, error_messages={
            "invalid": _("请输入金额（元），如 20 或 20.00"),
            "max_decimal_places": _("金额最多保留两位小数（分）"), "max_digits": _("金额过大"),
            "max_whole_digits": _("金额过大"), "required": _("请输入金额（元）")}, **kwargs)


def yuan_to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class FeeRuleForm(PageForm):
    amount = AmountField(label=_("金额（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class FeeRuleAddForm(PageForm):
    business = forms.ChoiceField(label=_("业务"), choices=choices_of(Business), error_messages={
        "required": _("请选择业务"), **CHOICE_ERRORS})
    reason = forms.ChoiceField(label=_("原因"), required=False,
                               choices=[("", _("任意原因")), *choices_of(CardReason)],
                               error_messages=CHOICE_ERRORS)
    amount = AmountField(label=_("金额（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False)


class CalendarDayForm(PageForm):
    kind = forms.ChoiceField(label=_("类型"), choices=choices_of(DayKind), error_messages={
        "required": _("请选择类型"), **CHOICE_ERRORS})
    name = forms.CharField(label=_("名称"), required=False, help_text=_("如 国庆节、国庆节调休上班"))
    note = forms.CharField(label=_("说明"), required=False)


class CalendarDayAddForm(CalendarDayForm):
    date = forms.DateField(label=_("日期"), widget=_date_input(), error_messages={
        **DATE_ERRORS, "required": _("请输入日期")})
    field_order = ["date", "kind", "name", "note"]


YEAR_ERROR = _("年份须为 2000 至 2100 之间的整数")


class CalendarYearForm(PageForm):
    year = forms.IntegerField(label=_("年份"), required=False, min_value=2000, max_value=2100,
                              error_messages={"invalid": YEAR_ERROR, "min_value": YEAR_ERROR,
                                              "max_value": YEAR_ERROR})
