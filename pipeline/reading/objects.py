"""A page's objects parsed once, the characters by a lean path.

pdfplumber has pdfminer build an ``LTChar`` object for every character, tags it with its
marked content, and then turns it into a dict by resolving each attribute through a generic
recursive walk. On a text page nearly every object is a character whose attributes are plain
numbers, strings and tuples, so the object and the walk cost a good part of the page's parse
for nothing. Here pdfplumber's own device runs the page, but a character of a horizontal font
goes straight into the dict pdfplumber would build, by pdfminer's own arithmetic; every other
object (rulings, images, curves, characters of vertical fonts, a character whose numbers do not
compute) still goes through pdfminer's objects and pdfplumber's conversion. The page's content
streams are tokenised by qpdf where it reads them as pdfminer does (``content``). The result is
stored where pdfplumber caches a page's objects, so ``page.chars``, ``extract_words`` and
``find_tables`` all read this one parse.
"""

from __future__ import annotations

from typing import Any
from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTComponent, LTContainer
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.utils import apply_matrix_rect
from pdfplumber.page import ALL_ATTRS, PDFPageAggregatorWithMarkedContent, fix_fontname_bytes
from pdfplumber.utils import resolve_all, resolve_and_decode

from pipeline.reading.content import LeanInterpreter

PLAIN = frozenset({float, int, str, bool, type(None)})


def _plain(value: Any) -> bool:
    """A value that pdfplumber's resolution would hand back unchanged (exact types: a
    subclass, such as a PDF name, may need resolving)."""
    kind = type(value)
    if kind in PLAIN:
        return True
    return kind is tuple and PLAIN.issuperset(map(type, value))


def _colour(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _resolved(attr: dict[str, Any]) -> dict[str, Any]:
    """The attributes as pdfplumber resolves them: only a value that is not plain is walked."""
    for k, v in attr.items():
        if type(v) not in PLAIN and not _plain(v):
            attr[k] = resolve_all(v)
    return attr


class _CharMaker:
    """Builds pdfplumber's dict for a character; the page's constants are looked up once."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page_number = page.page_number
        self.height = page.height
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.doctop = page.initial_doctop
        self.unicode_norm = page.pdf.unicode_norm
        self.spaces: dict[str, Any] = {}
        self.keys: tuple[str, ...] | None = None  # pdfplumber's attributes a character has

    def __call__(self, obj: LTChar) -> dict[str, Any]:
        """The dict of pdfminer's character object."""
        values = obj.__dict__
        if self.keys is None:  # every LTChar sets the same attributes
            self.keys = tuple(k for k in values if k in ALL_ATTRS)
        attr = _resolved({k: values[k] for k in self.keys})
        return self.finish(attr, obj.get_text(), obj.graphicstate, values)

    def finish(self, attr: dict[str, Any], text: str, gs, values: dict) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        """What pdfplumber adds to a character's own attributes: its kind, page, colour space,
        colours, text and its position from the page's top."""
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        if "ncs" in values:
            name = values["ncs"].name
            if name not in self.spaces:
                self.spaces[name] = resolve_and_decode(name)
            attr["ncs"] = self.spaces[name]
        attr["text"] = (
            normalize_unicode(self.unicode_norm, text) if self.unicode_norm is not None else text
        )
        attr["stroking_color"] = _colour(gs.scolor)
        attr["non_stroking_color"] = _colour(gs.ncolor)
        if isinstance(attr["fontname"], bytes):
            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        attr["top"] = (self.height - attr["y1"]) + self.mb_top
        attr["bottom"] = (self.height - attr["y0"]) + self.mb_top
        attr["doctop"] = self.doctop + attr["top"]
        if self.mb_x0 != 0:
            attr["x0"] = attr["x0"] + self.mb_x0
            attr["x1"] = attr["x1"] + self.mb_x0
        return attr


class _FirstChar(LTComponent):
    """Stands in the page's layout where its first character was drawn, so that the kinds of
    objects come out in pdfplumber's order."""

    def __init__(self) -> None:
        super().__init__((0, 0, 0, 0))


class _LeanDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's device, keeping the characters of horizontal fonts as dicts, in the order
    they are drawn, instead of as objects in the layout."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        super().__init__(page.pdf.rsrcmgr, pageno=page.page_number, laparams=None)
        self.make = _CharMaker(page)
        self.chars: list[dict[str, Any]] = []

    def render_char(  # type: ignore[no-untyped-def, override]
        self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate
    ) -> float:
        if not self.chars:
            self.cur_item.add(_FirstChar())
        made = None
        if not font.is_vertical():
            try:
                made = self._horizontal(matrix, font, fontsize, scaling, rise, cid, ncs)
            except Exception:  # pdfminer's own path raises it again, from pdfminer
                made = None
        if made is None:
            adv = super().render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)
            self.chars.append(self.make(self.cur_item._objs.pop()))
            return adv
        attr, text, adv = made
        self.chars.append(self.make.finish(attr, text, graphicstate, {"ncs": ncs}))
        return adv

    def _horizontal(  # type: ignore[no-untyped-def]
        self, matrix, font, fontsize, scaling, rise, cid, ncs
    ) -> tuple[dict[str, Any], str, float] | None:
        """A character's own attributes, its text and its advance, by the operations of
        pdfminer's ``render_char`` and ``LTChar`` in their order (so the same floats), and the
        marked content pdfplumber tags it with; None where pdfminer's own path must decide."""
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        if type(text) is not str:
            return None
        adv = font.char_width(cid) * fontsize * scaling
        descent = font.get_descent() * fontsize
        bbox = (0, descent + rise, adv, descent + rise + fontsize)
        (a, b, c, d, _e, _f) = matrix
        upright = a * d * scaling > 0 and b * c <= 0
        (x0, y0, x1, y1) = apply_matrix_rect(matrix, bbox)
        if x1 < x0:
            (x0, x1) = (x1, x0)
        if y1 < y0:
            (y0, y1) = (y1, y0)
        height = y1 - y0
        fontname, mcid, tag = font.fontname, self.cur_mcid, self.cur_tag
        attr = {
            "matrix": matrix,
            "fontname": fontname,
            "adv": adv,
            "upright": upright,
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "width": x1 - x0,
            "height": height,
            "size": height,
            "mcid": mcid,
            "tag": tag,
        }
        # The numbers' types follow from these: when all are plain, nothing needs resolving.
        given = (fontname, mcid, tag, adv, x0, y0, x1, y1, upright)
        if not (_plain(matrix) and PLAIN.issuperset(map(type, given))):
            attr = _resolved(attr)
        return attr, text, adv


def parse_objects(page) -> dict[str, list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """The page's objects by kind, as ``pdfplumber.Page.parse_objects`` returns them."""
    if page.pdf.laparams is not None:  # layout analysis needs pdfminer's character objects
        return _visit(page, page.layout._objs, [], with_containers=True)
    device = _LeanDevice(page)
    try:
        LeanInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception:
        # pdfplumber's own parse of the page: it fails the same way and says so as pdfplumber
        # does (the file's fault, not citydocs'), or reads what the lean path could not.
        return _visit(page, page.layout._objs, [], with_containers=False)
    return _visit(page, device.get_result()._objs, device.chars, with_containers=False)


def _visit(page, items, chars: list[dict[str, Any]], with_containers: bool) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """The layout's objects by kind; the lean characters where the first one was drawn."""
    make_char = _CharMaker(page)
    objects: dict[str, list[dict[str, Any]]] = {}

    def visit(items) -> None:  # type: ignore[no-untyped-def]
        for obj in items:
            if isinstance(obj, _FirstChar):
                objects.setdefault("char", chars)
                continue
            if isinstance(obj, LTChar):
                objects.setdefault("char", []).append(make_char(obj))
                continue
            if isinstance(obj, LTContainer):
                if with_containers:
                    keep(page.process_object(obj))
                visit(obj._objs)
                continue
            keep(page.process_object(obj))

    def keep(made: dict[str, Any]) -> None:
        if made["object_type"] != "anno":
            objects.setdefault(made["object_type"], []).append(made)

    visit(items)
    return objects


def parse_once(page) -> None:  # type: ignore[no-untyped-def]
    """Parse the page into pdfplumber's own cache, unless something has already."""
    if not hasattr(page, "_objects"):
        page._objects = parse_objects(page)
