"""Generators of hostile inputs (no committed binaries): each returns the path it wrote."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
from PIL import Image


def empty(folder: Path) -> Path:
    path = folder / "empty.pdf"
    path.write_bytes(b"")
    return path


def text_named_pdf(folder: Path) -> Path:
    path = folder / "notes.pdf"
    path.write_text("Meeting notes, not a PDF at all.\n")
    return path


def png_named_pdf(folder: Path) -> Path:
    path = folder / "picture.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def cut_in_half(folder: Path, good: Path) -> Path:
    path = folder / "half.pdf"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def broken_xref(folder: Path, good: Path) -> Path:
    """Every cross-reference offset wrong: qpdf (pikepdf) can rebuild the table."""
    path = folder / "broken_xref.pdf"
    data = bytearray(good.read_bytes())
    start = data.rfind(b"xref")
    end = data.find(b"trailer", start)
    section = bytes(data[start:end])
    broken = bytearray(section)
    for i in range(len(broken)):
        if 48 <= broken[i] <= 57 and i > 30:
            broken[i] = 48 + (broken[i] - 48 + 3) % 10
    data[start:end] = broken
    path.write_bytes(bytes(data))
    return path


def encrypted(folder: Path, good: Path, password: str = "s3cret") -> Path:
    path = folder / "locked.pdf"
    with pikepdf.open(good) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner=password, user=password, R=6))
    return path


def zero_pages(folder: Path) -> Path:
    path = folder / "zero_pages.pdf"
    with pikepdf.new() as pdf:
        pdf.save(path)
    return path


def many_pages(folder: Path, good: Path, count: int = 2000) -> Path:
    path = folder / "many_pages.pdf"
    with pikepdf.open(good) as src, pikepdf.new() as pdf:
        page = src.pages[0]
        for _ in range(count):
            pdf.pages.append(page)
        pdf.save(path)
    return path


def javascript_and_attachment(folder: Path, good: Path) -> Path:
    """Opens with JavaScript and carries an attached executable: both must be ignored."""
    path = folder / "scripted.pdf"
    with pikepdf.open(good) as pdf:
        marker = folder / "js_ran"
        action = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.launchURL('file://{marker}');")
        )
        pdf.Root.OpenAction = pdf.make_indirect(action)
        pdf.attachments["run.sh"] = pikepdf.AttachedFileSpec(
            pdf, b"#!/bin/sh\ntouch pwned\n", mime_type="text/x-sh"
        )
        pdf.save(path)
    return path


def awkward_names(folder: Path, good: Path) -> list[Path]:
    names = ["with spaces.pdf", "Málaga Ωmega.pdf", "-leading-dash.pdf"]
    return [Path(shutil.copy(good, folder / name)) for name in names]
