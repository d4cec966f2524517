"""Printable PDFs: the business form (业务表单) to sign at the window and the kiosk voucher (自助一体机凭证).

Chinese text must render in any viewer, so the vendored WenQuanYi Micro Hei TrueType font
(``fonts/wqy-microhei.ttf``, Apache-2.0) is embedded as a subset (``FontFile2``); reportlab's built-in CID
fonts (STSong-Light) are never used because they are not embedded.  Output is deterministic
(``invariant``): the same input gives the same bytes.
"""

import datetime as dt
import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "WQYMicroHei"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
SIGNATURE_LINE = "申办人/代办人签字：________________    日期：________________"
_font_lock = threading.Lock()


def register_cjk_font() -> str:
    """Register the embedded CJK font with reportlab once; returns its name."""
    with _font_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def _format_time(value: dt.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def _barcode_safe(value: str) -> bool:
    return bool(value) and len(value) <= 40 and all(32 < ord(ch) < 127 for ch in value)


def _styles() -> dict[str, ParagraphStyle]:
    font = register_cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1,
                                spaceAfter=4 * mm),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=13),
        "label": ParagraphStyle("label", parent=base),
        "value": base,
        "sign": ParagraphStyle("sign", parent=base, fontSize=12, leading=18),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=colors.grey),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def render_business_form(*, title: str, request_no: str, rows: list[tuple[str, str]], outlet_name: str,
                         printed_at: dt.datetime) -> bytes:
    """A4 business form: title, outlet / request number / print time, a label-value table, a signature line
    for the applicant or proxy (申办人/代办人签字 + 日期) and a Code 128 barcode of the request number.

    ``rows`` are printed as given; callers pass masked personal data (never a full ID number unless the
    form legally needs it).
    """
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=title, author="重庆市社会保障卡服务系统",
                            subject="业务表单", creator="sscard", invariant=1,
                            initialFontName=FONT_NAME)
    story = [_para(title, styles["title"])]
    meta = Table(
        [[_para(f"经办网点：{outlet_name}", styles["meta"]), _para(f"业务编号：{request_no}", styles["meta"])],
         [_para(f"打印时间：{_format_time(printed_at)}", styles["meta"]), ""]],
        colWidths=[doc.width * 0.55, doc.width * 0.45],
    )
    meta.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    story += [meta, Spacer(1, 3 * mm)]
    data = [[_para(label, styles["label"]), _para(value, styles["value"])] for label, value in rows]
    if data:
        table = Table(data, colWidths=[doc.width * 0.28, doc.width * 0.72], repeatRows=0)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        story.append(table)
    story += [
        Spacer(1, 6 * mm),
        _para("本人确认以上信息真实、准确，并对所提供材料的真实性负责。", styles["value"]),
        Spacer(1, 10 * mm),
        _para(SIGNATURE_LINE, styles["sign"]),
        Spacer(1, 8 * mm),
    ]
    if _barcode_safe(request_no):
        story.append(code128.Code128(request_no, barHeight=12 * mm, barWidth=0.35 * mm, humanReadable=False))
        story.append(_para(request_no, styles["note"]))

    def _footer(cnv, doc_):
        cnv.saveState()
        cnv.setFont(FONT_NAME, 8)
        cnv.drawCentredString(A4[0] / 2, 10 * mm, f"{title}  业务编号 {request_no}  第 {doc_.page} 页")
        cnv.restoreState()

    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


VOUCHER_WIDTH = 80 * mm  # thermal receipt roll of the kiosk
_VOUCHER_MARGIN = 5 * mm


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than ``width`` (character-wise, as CJK text allows)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for ch in paragraph:
            if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def render_voucher(*, title: str, voucher_no: str, rows: list[tuple[str, str]], outlet_name: str,
                   printed_at: dt.datetime) -> bytes:
    """Kiosk voucher (自助一体机凭证) on an 80 mm receipt: title, voucher number (text + QR code), the rows,
    outlet and print time, and the instruction to take it to a service window.  The page is as tall as
    its content.
    """
    font = register_cjk_font()
    inner = VOUCHER_WIDTH - 2 * _VOUCHER_MARGIN
    lines: list[tuple[str, float, str]] = []  # (text, size, align: left | center | rule)
    for piece in _wrap(title, font, 13, inner):
        lines.append((piece, 13, "center"))
    for piece in _wrap(f"凭证号：{voucher_no}", font, 10, inner):
        lines.append((piece, 10, "left"))
    lines.append(("", 8, "rule"))
    for label, value in rows:
        for piece in _wrap(f"{label}：{value}", font, 9, inner):
            lines.append((piece, 9, "left"))
    lines.append(("", 8, "rule"))
    for text in (f"办理网点：{outlet_name}", f"打印时间：{_format_time(printed_at)}",
                 "请持本凭证到服务窗口办理后续业务。"):
        for piece in _wrap(text, font, 9, inner):
            lines.append((piece, 9, "left"))
    qr_size = 30 * mm if voucher_no else 0
    height = 2 * _VOUCHER_MARGIN + sum(size * 1.45 for _, size, _ in lines) + qr_size + 4 * mm

    buffer = io.BytesIO()
    cnv = canvas.Canvas(buffer, pagesize=(VOUCHER_WIDTH, height), invariant=1, initialFontName=font)
    cnv.setTitle(title)
    cnv.setAuthor("重庆市社会保障卡服务系统")
    cnv.setSubject("自助一体机凭证")
    y = height - _VOUCHER_MARGIN
    for text, size, align in lines:
        y -= size * 1.45
        cnv.setFont(font, size)
        if align == "rule":
            cnv.setLineWidth(0.5)
            cnv.setDash(2, 2)
            cnv.line(_VOUCHER_MARGIN, y + size * 0.4, VOUCHER_WIDTH - _VOUCHER_MARGIN, y + size * 0.4)
            cnv.setDash()
        elif align == "center":
            cnv.drawCentredString(VOUCHER_WIDTH / 2, y, text)
        else:
            cnv.drawString(_VOUCHER_MARGIN, y, text)
    if voucher_no:
        widget = QrCodeWidget(voucher_no)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
        drawing.initialFontName = font  # keep the renderer from selecting (unembedded) Helvetica
        drawing.add(widget)
        renderPDF.draw(drawing, cnv, (VOUCHER_WIDTH - qr_size) / 2, y - qr_size - 2 * mm)
    cnv.showPage()
    cnv.save()
    return buffer.getvalue()


def _qr(value: str, size: float, font: str) -> Drawing:
    widget = QrCodeWidget(value)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.initialFontName = font  # keep the renderer from selecting (unembedded) Helvetica
    drawing.add(widget)
    return drawing


def render_receipt(*, request_no: str, rows: list[tuple[str, str]], materials: list[str], outlet_name: str,
                   clerk_name: str, contact: str, time_limit: str, printed_at: dt.datetime,
                   reprint: int = 0) -> bytes:
    """A4 受理回执 handed to the applicant: what was accepted (masked rows), the materials received, the
    time, the clerk, the outlet's contact, the time limit, and a QR code of the business number (a window
    or kiosk scans it to find the business).  ``reprint`` > 0 prints 「补打第 N 次」 on it."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title="受理回执", author="重庆市社会保障卡服务系统",
                            subject="受理回执", creator="sscard", invariant=1, initialFontName=FONT_NAME)
    title = "重庆市社会保障卡业务受理回执" + (f"（补打第 {reprint} 次）" if reprint else "")
    story = [_para(title, styles["title"])]
    head = Table([[[_para(f"业务编号：{request_no}", styles["value"]),
                    _para(f"经办网点：{outlet_name}", styles["meta"]),
                    _para(f"经办人员：{clerk_name}", styles["meta"]),
                    _para(f"受理时间：{_format_time(printed_at)}", styles["meta"])],
                   _qr(request_no, 32 * mm, FONT_NAME)]],
                 colWidths=[doc.width - 36 * mm, 36 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [head, Spacer(1, 3 * mm)]
    data = [[_para(label, styles["label"]), _para(value, styles["value"])] for label, value in rows]
    data.append([_para("已收材料", styles["label"]), _para("；".join(materials) or "无", styles["value"])])
    data.append([_para("办理时限", styles["label"]), _para(time_limit, styles["value"])])
    data.append([_para("咨询电话", styles["label"]), _para(contact, styles["value"])])
    table = Table(data, colWidths=[doc.width * 0.24, doc.width * 0.76])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story += [table, Spacer(1, 6 * mm),
              _para("请妥善保管本回执，凭业务编号或扫描二维码查询办理进度。办结后欢迎对本次服务作出评价（好差评）。",
                    styles["note"])]
    doc.build(story)
    return buffer.getvalue()
