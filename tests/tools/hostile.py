"""Generators of hostile inputs (no committed binaries): each returns the path it wrote."""

from __future__ import annotations

import io
import shutil
import zlib
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


def decompression_bomb(folder: Path, side: int = 20_000) -> Path:
    """An A4 page drawing one ``side`` × ``side`` grey image: a few hundred KB of Flate data
    that decodes to ``side²`` bytes (400 MB at 20,000)."""
    path = folder / "bomb.pdf"
    packer = zlib.compressobj(9)
    row = bytes(side)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    with pikepdf.new() as pdf:
        image = pikepdf.Stream(pdf, data)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = side, side, 8
        image.ColorSpace, image.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.FlateDecode
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        pdf.save(path)
    return path


def slow_content_stream(folder: Path, operations: int = 5_000_000) -> Path:
    """One page whose content stream repeats an identity transform ``operations`` times: 70 KB
    on disk, minutes of parsing (100,000 took 3.6 s here) in flat memory."""
    path = folder / "slow.pdf"
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=(595, 842))
        body = b"1 0 0 1 0 0 cm\n" * operations
        page.Contents = pdf.make_stream(zlib.compress(body, 9))
        page.Contents.Filter = pikepdf.Name.FlateDecode
        pdf.save(path)
    return path


def content_bomb(folder: Path, megabytes: int = 300) -> Path:
    """A page whose content stream is a few hundred KB of Flate data that inflates to
    ``megabytes`` MB of blanks: the parser holds the whole inflated stream at once."""
    path = folder / "content_bomb.pdf"
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Contents = pdf.make_stream(data)
        page.Contents.Filter = pikepdf.Name.FlateDecode
        pdf.save(path)
    return path


def user_password_only(folder: Path, good: Path, password: str = "u") -> Path:
    """AES-256 (R6) with an empty owner password: pdfminer opens it as its owner, the renderer
    asks for the user password, as a reader would be asked."""
    path = folder / "user_locked.pdf"
    with pikepdf.open(good) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="", user=password, R=6))
    return path


def no_mediabox(folder: Path, good: Path) -> Path:
    """A page tree in which no page has, or inherits, a MediaBox."""
    path = folder / "no_mediabox.pdf"
    with pikepdf.open(good) as pdf:
        for page in pdf.pages:
            del page.obj.MediaBox
        if "/MediaBox" in pdf.Root.Pages:
            del pdf.Root.Pages.MediaBox
        pdf.save(path)
    return path


def text_pages(folder: Path, count: int, lines: int = 12) -> Path:
    """``count`` born-digital pages, each with its own ``lines`` lines of text (every page is
    parsed on its own: none is a copy of another)."""
    path = folder / f"text_{count}_pages.pdf"
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    with pikepdf.new() as pdf:
        resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
        for number in range(1, count + 1):
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = resources
            body = [b"BT /F1 10 Tf 12 TL 50 800 Td"]
            for line in range(lines):
                text = f"Page {number} line {line}: minutes of a meeting about parks and roads."
                body.append(b"(" + text.encode() + b") Tj T*")
            body.append(b"ET")
            page.Contents = pdf.make_stream(b"\n".join(body))
        pdf.save(path)
    return path


def damaged_stream(folder: Path, good: Path) -> Path:
    """The first page's content stream with its Flate checksum broken: pdfminer reads it and
    warns of the data loss."""
    path = folder / "damaged_stream.pdf"
    with pikepdf.open(good) as pdf:
        page = pdf.pages[0]
        page.contents_coalesce()
        data = zlib.compress(page.obj.Contents.read_bytes())
        stream = pdf.make_stream(data[:-2] + bytes(b ^ 0xFF for b in data[-2:]))
        stream.Filter = pikepdf.Name.FlateDecode
        page.obj.Contents = stream
        pdf.save(path)
    return path
