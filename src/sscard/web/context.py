"""What every page's layout shows: who is signed in, at which outlet and window, the idle timeout, the
language switcher, and the texts the pages' scripts show (in the page's language, as JSON: no inline
script)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sscard.hardware.drivers import is_simulated
from sscard.web.access import staff_of
from sscard.web.languages import switcher

# Read by static/web/capture.js and dashboard.js from <script type="application/json" id="sscard-strings">.
JS_STRINGS = {
    "cameraUnsupported": _("此浏览器无法使用摄像头（须通过 https 访问），请改用上传文件。"),
    "cameraOpening": _("正在打开摄像头…"),
    "cameraOpen": _("摄像头已打开，请对准后拍摄。"),
    "cameraRefused": _("摄像头权限被拒绝：请在浏览器中允许使用摄像头，或改用上传文件。"),
    "cameraMissing": _("未找到可用的摄像头，请检查连接，或改用上传文件。"),
    "cameraNotReady": _("摄像头画面尚未就绪，请稍候再拍。"),
    "shot": _("已拍摄。"),
    "fileChosen": _("已选择文件：{name}"),
    "signed": _("已签名"),
    "unsigned": _("尚未签名"),
    "chartCountAxis": pgettext_lazy("chart axis: number of businesses", "笔"),
    "perDayTitle": _("每日受理业务量"),
    "perDaySeries": _("受理业务（笔）"),
    "onTimeTitle": _("按时制卡率"),
    "onTimeSeries": _("按时率（%）"),
    "onTimeNoneDue": _("{day}：无到期业务"),
    "onTimeTooltip": _("{day}：按时率 {rate}%（到期 {due} 笔，按时 {onTime} 笔）"),
}


def _simulator(staff) -> bool:
    """The window pages show the simulated devices' controls when the drivers are the simulated ones."""
    return bool(staff and staff.outlet_id) and all(is_simulated(k) for k in ("id_reader", "card_terminal"))


def page(request) -> dict:
    staff = staff_of(request)
    idle = int(settings.SESSION_COOKIE_AGE)
    return {
        "staff": staff,
        "outlet": staff.outlet if staff else None,
        "session_idle_seconds": idle,
        "simulator": _simulator(staff),
        # warn at least 20 s before the end (WCAG 2.2.1), a minute when the timeout allows it
        "session_warn_seconds": max(20, min(60, idle // 2)),
        "js_strings": JS_STRINGS,
        **switcher(request),
    }
