"""The TSM pack as a PDF (WeasyPrint), from the same body template as the page."""

from __future__ import annotations

from django.template.loader import render_to_string

from attend.tsm.selectors import TsmPack


def tsm_pack_html(pack: TsmPack) -> str:
    return render_to_string("tsm/pack_pdf.html", {"pack": pack, "pdf": True})


def tsm_pack_pdf(pack: TsmPack) -> bytes:
    """An A4 PDF of the pack, with the school, term and page numbers in the footer."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only when used

    pdf: bytes = HTML(string=tsm_pack_html(pack)).write_pdf()
    return pdf
