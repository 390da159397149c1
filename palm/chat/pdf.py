"""The PDF export (fpdf2): a page per thread, the reading's overlay image at its top.

Text uses DejaVu Sans when the system has it (any language); otherwise the PDF core font,
with characters outside Latin-1 replaced, so the export works on a bare machine too.
"""

from __future__ import annotations

import io
from pathlib import Path

from palm.chat.export import SPEAKERS, ThreadExport, thread_facts
from palm.readers import DISCLAIMER

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
PUNCTUATION = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "…": "..."}
)
IMAGE_WIDTH_MM = 90


class _Writer:
    def __init__(self) -> None:
        # imported here: fpdf costs ~0.3 s at import, paid by every process that imports the
        # chat package (workers, pages, the CLI) although only an export writes a PDF
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_title("Palmline conversations")
        font = next((path for path in UNICODE_FONTS if path.exists()), None)
        if font is not None:
            self.pdf.add_font("body", "", str(font))
            self.family, self.unicode = "body", True
        else:
            self.family, self.unicode = "helvetica", False

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.translate(PUNCTUATION).encode("latin-1", "replace").decode("latin-1")

    def paragraph(self, value: str, size: float = 10, height: float = 5) -> None:
        from fpdf.enums import XPos, YPos  # loaded with FPDF above

        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, height, self.text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def thread(self, thread: ThreadExport, overlay: bytes | None, *, new_page: bool) -> None:
        if new_page:
            self.pdf.add_page()
        else:
            self.pdf.ln(6)
        self.paragraph(thread.title, size=16, height=8)
        meta = thread_facts(thread)
        self.paragraph(" · ".join(meta) if self.unicode else " | ".join(meta), size=8)
        if overlay:
            self.pdf.ln(2)
            self.pdf.image(io.BytesIO(overlay), w=IMAGE_WIDTH_MM, keep_aspect_ratio=True)
        self.pdf.ln(3)
        for message in thread.messages:
            speaker = SPEAKERS.get(message.role, message.role)
            self.paragraph(f"{speaker} - {message.created_at:%Y-%m-%d %H:%M}", size=8, height=4)
            self.paragraph(message.text.replace("**", ""))
            if message.note:
                self.paragraph(f"Note: {message.note}", size=8, height=4)
            self.pdf.ln(2)


def to_pdf(threads: list[ThreadExport], overlays: dict[int, bytes]) -> bytes:
    """The PDF bytes: a heading with the disclaimer, the first thread on the same page, then
    one page per further thread."""
    writer = _Writer()
    writer.pdf.add_page()
    writer.paragraph("Palmline conversations", size=18, height=10)
    writer.paragraph(f"{len(threads)} conversation(s). {DISCLAIMER}", size=9)
    for index, thread in enumerate(threads):
        overlay = overlays.get(thread.reading_id) if thread.reading_id else None
        writer.thread(thread, overlay, new_page=index > 0)
    return bytes(writer.pdf.output())
