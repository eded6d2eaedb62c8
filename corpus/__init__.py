"""A seeded generator of varied IURC documents with known truth (issue 12: build and measure).

``generate(seed)`` draws one document (a city profile or a U-CAP summary) from independent
axes of variation, renders it to PDF (optionally "scanned"), and returns the PDF bytes, the
expected record (written from the same data that drew the PDF, never from the extractor) and
the axis values. Seeds 0-99999 are the development range, 100000 and up the report range; the
name pools are split by a stable hash so report documents carry names development never had.
"""

from corpus.generate import DEV_START, REPORT_START, Document, generate

__all__ = ["DEV_START", "REPORT_START", "Document", "generate"]
