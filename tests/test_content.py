"""Content streams read by qpdf give pdfminer's own objects, or are left to pdfminer."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import PSEOF, PSKeyword

from pipeline.reading import content, objects
from pipeline.reading.content import LeanInterpreter


def pdfminer_objects(data: bytes) -> list | None:
    """What pdfminer's parser makes of a stream, in order; None where it raises."""
    try:
        parser = PDFContentParser([PDFStream({}, data)])
        out = []
        while True:
            try:
                out.append(parser.nextobject()[1])
            except PSEOF:
                return out
    except PSEOF:
        return []
    except Exception:
        return None


def typed(values: list) -> list:
    """Values with their types, nested: 1 and 1.0 and True are not the same object here."""
    return [
        (type(v), typed(v) if isinstance(v, list) else v if not isinstance(v, dict) else
         sorted((k, typed([x])) for k, x in v.items()))
        for v in values
    ]  # fmt: skip


def calls(values: list) -> list:
    """The operators pdfminer's interpreter runs on these objects, with their operands, as
    its ``execute`` dispatches them."""
    stack: list = []
    made = []
    for value in values:
        if not isinstance(value, PSKeyword):
            stack.append(value)
            continue
        method = getattr(PDFPageInterpreter, content.method_name(value), None)
        if method is None:
            continue
        nargs = method.__code__.co_argcount - 1
        args = stack[-nargs:] if nargs else []
        stack = stack[:-nargs] if nargs else stack
        if len(args) == nargs:
            made.append((method.__name__, typed(args)))
    return made


def agrees(data: bytes) -> bool:
    """qpdf's objects make pdfminer's interpreter do what pdfminer's own do, or qpdf's
    reading is refused; never a third answer, and never an answer where pdfminer fails."""
    ours = content.objects(data)
    if ours is None:
        return True
    theirs = pdfminer_objects(data)
    return theirs is not None and calls(ours) == calls(theirs)


# Tokens of a content stream, the plain ones and those where the two parsers could part ways.
TOKENS = st.sampled_from(
    [
        b"BT", b"ET", b"Tj", b"TJ", b"Tf", b"Td", b"T*", b"'", b'"', b"q", b"Q", b"cm", b"re",
        b"BDC", b"EMC", b"d0", b"true", b"false", b"null", b"0", b"12", b"-3", b"+4", b"5.",
        b".5", b"-.25", b"007", b"1.2.3", b"1e5", b"12Tf", b"-", b".", b"--5", b"*a", b"/F1",
        b"/", b"/A#42", b"/A#4", b"/\xc3\xa9", b"(a)", b"(a(b)c)", b"(a\\)b)", b"(\\053x)",
        b"(\\0053)", b"(\\777)", b"(\\q)", b"(a\\\nb)", b"(a\\\r\nb)", b"(a\rb)", b"(\\n\\t)",
        b"(", b")", b"<4142>", b"<41 42>", b"<414>", b"<4G>", b"<>", b"[", b"]", b"<<", b">>",
        b"{", b"}", b"%c\n", b"#", b"\x00", b"\x01", b"BI", b"ID", b"EI", b"12345678901234567890",
    ]
)  # fmt: skip
SEPARATORS = st.sampled_from([b" ", b"\n", b"", b"\t", b"\r\n"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(TOKENS, SEPARATORS), max_size=14))
def test_qpdf_reads_a_stream_as_pdfminer_does_or_leaves_it(parts) -> None:  # type: ignore[no-untyped-def]
    assert agrees(b"".join(token + sep for token, sep in parts))


def test_a_real_page_is_read_by_qpdf_and_read_the_same(sample_dir: Path) -> None:
    """The samples' born-digital pages do not fall back: the speed is real, and the same."""
    read = 0
    for path in sorted(sample_dir.glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for stream in page.page_obj.contents:
                    data = stream_value(stream).get_data()
                    if b"BT" in data:
                        ours = content.objects(data)
                        assert ours is not None, path.name
                        assert calls(ours) == calls(pdfminer_objects(data)), path.name
                        read += 1
    assert read >= 5


@pytest.mark.parametrize(
    "data",
    [
        b"(a\rb) Tj",
        b"<414> Tj",
        b"[1 2",
        b"<< /A 1 /B >> BDC",
        b"/A#4 Tf",
        b"1e5 Td",
        b"{ } Tj",
        b"EMC\x00 BT",
        b"BI /W 1 /H 1 ID \x01 EI",
    ],
)
def test_where_the_parsers_part_ways_pdfminer_reads(data: bytes) -> None:
    assert content.objects(data) is None


def _parsed(path: Path, interpreter: type) -> list:
    """Each page's objects, the image streams by object number (a stream object is new on
    every opening)."""
    original = objects.LeanInterpreter
    objects.LeanInterpreter = interpreter  # type: ignore[misc]
    try:
        with pdfplumber.open(path) as pdf:
            return [
                {
                    kind: [{k: getattr(v, "objid", v) for k, v in obj.items()} for obj in found]
                    for kind, found in objects.parse_objects(page).items()
                }
                for page in pdf.pages
            ]
    finally:
        objects.LeanInterpreter = original  # type: ignore[misc]


def test_a_page_comes_out_as_pdfminer_interprets_it(sample_dir: Path) -> None:
    for path in sorted(sample_dir.glob("*.pdf")):
        assert _parsed(path, LeanInterpreter) == _parsed(path, PDFPageInterpreter), path.name


def test_a_form_drawing_itself_is_refused_as_pdfminer_refuses_it(tmp_path: Path) -> None:
    """A form XObject that draws itself: pdfminer's loop guard still holds, the text around
    it is read once."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    form = pdf.make_stream(b"BT /F1 9 Tf 10 10 Td (Inside) Tj ET /X0 Do")
    form["/Type"], form["/Subtype"] = pikepdf.Name.XObject, pikepdf.Name.Form
    form["/BBox"] = pikepdf.Array([0, 0, 200, 50])
    form["/Resources"] = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(X0=form)
    )
    page = pdf.add_blank_page(page_size=(200, 100))
    page.obj["/Resources"] = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(X0=form)
    )
    page.obj["/Contents"] = pdf.make_stream(b"BT /F1 9 Tf 10 60 Td (Outside) Tj ET /X0 Do")
    pdf.save(tmp_path / "loop.pdf")
    lean = _parsed(tmp_path / "loop.pdf", LeanInterpreter)
    assert lean == _parsed(tmp_path / "loop.pdf", PDFPageInterpreter)
    text = "".join(c["text"] for c in lean[0]["char"])
    assert text.count("Outside") == 1 and "Inside" in text
