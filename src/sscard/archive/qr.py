"""QR codes outside the printed papers: the same reportlab QR widget the receipts and vouchers draw
(``archive.pdf``), rendered as SVG for a screen (the 电子社保卡 code in the app)."""

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing


def qr_svg(value: str, *, size: float = 240) -> str:
    """The SVG document of a QR code of ``value``, ``size`` points square (medium error correction)."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return renderSVG.drawToString(drawing)
