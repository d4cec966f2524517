"""The devices a window works with, as its page header shows them.

The card printer's state is the outlet's issuance status (the supervisor switches it); the signature pad
is part of the outlet's means.  The ID-card reader, the document camera (高拍仪) and the evaluator are
reached from the browser (a local device service, or the simulated hooks of ``static/web/devices.js``):
the server only knows which driver is configured.
"""

from django.utils.translation import gettext as _

from sscard.hardware.drivers import is_simulated
from sscard.staff.choices import DeviceStatus
from sscard.web.vocabulary import label


def _driver_label(kind: str) -> str:
    return _("模拟设备") if is_simulated(kind) else _("已连接")


def window_devices(outlet) -> list[dict]:
    printer_ok = outlet.issuance_status == DeviceStatus.WORKING
    return [
        {"key": "id_reader", "label": _("身份证读卡器"), "state": "ok", "text": _driver_label("id_reader")},
        {"key": "camera", "label": _("高拍仪/摄像头"), "state": "ok", "text": _("浏览器摄像头")},
        {"key": "signature_pad", "label": _("签字板"),
         "state": "ok" if outlet.has_signature_pad else "none",
         "text": _("可用") if outlet.has_signature_pad else _("未配备（打印表单签字）")},
        {"key": "evaluator", "label": _("评价器"), "state": "ok", "text": _("屏幕评价")},
        {"key": "card_printer", "label": _("制卡设备"),
         "state": "ok" if printer_ok else "bad",
         "text": _("正常（即时制卡）") if printer_ok else
         _("%(status)s（24小时内制卡）") % {"status": label(DeviceStatus, outlet.issuance_status)}},
    ]
