"""The devices a window works with, as its page header shows them.

The card printer's state is the outlet's issuance status (the supervisor switches it); the signature pad
is part of the outlet's means.  The ID-card reader, the document camera (高拍仪) and the evaluator are
reached from the browser (a local device service, or the simulated hooks of ``static/web/devices.js``):
the server only knows which driver is configured.
"""


from sscard.hardware.drivers import is_simulated
from sscard.staff.choices import DeviceStatus


def _driver_label(kind: str) -> str:
    return "模拟设备" if is_simulated(kind) else "已连接"


def window_devices(outlet) -> list[dict]:
    printer_ok = outlet.issuance_status == DeviceStatus.WORKING
    return [
        {"key": "id_reader", "label": "身份证读卡器", "state": "ok", "text": _driver_label("id_reader")},
        {"key": "camera", "label": "高拍仪/摄像头", "state": "ok", "text": "浏览器摄像头"},
        {"key": "signature_pad", "label": "签字板",
         "state": "ok" if outlet.has_signature_pad else "none",
         "text": "可用" if outlet.has_signature_pad else "未配备（打印表单签字）"},
        {"key": "evaluator", "label": "评价器", "state": "ok", "text": "屏幕评价"},
        {"key": "card_printer", "label": "制卡设备",
         "state": "ok" if printer_ok else "bad",
         "text": "正常（即时制卡）" if printer_ok else f"{DeviceStatus(outlet.issuance_status).label}（24小时内制卡）"},
    ]
