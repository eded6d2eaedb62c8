"""A page's objects parsed once, the characters by a lean path.

pdfplumber turns every pdfminer object into a dict by resolving each attribute through a
generic recursive walk. On a text page nearly every object is a character whose attributes are
already plain numbers, strings and tuples, so that walk costs about a third of the page's parse
for nothing. Characters are built here directly, into the same dicts pdfplumber would build;
every other kind of object (rulings, images, curves) still goes through pdfplumber. The result
is stored where pdfplumber caches a page's objects, so ``page.chars``, ``extract_words`` and
``find_tables`` all read this one parse.
"""

from __future__ import annotations

from typing import Any
from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTContainer
from pdfplumber.page import ALL_ATTRS, fix_fontname_bytes
from pdfplumber.utils import resolve_all, resolve_and_decode

PLAIN = frozenset({float, int, str, bool, type(None)})


def _plain(value: Any) -> bool:
    """A value that pdfplumber's resolution would hand back unchanged (exact types: a
    subclass, such as a PDF name, may need resolving)."""
    kind = type(value)
    if kind in PLAIN:
        return True
    return kind is tuple and all(type(v) in PLAIN for v in value)


def _colour(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


class _CharMaker:
    """Builds pdfplumber's dict for an ``LTChar``; the page's constants are looked up once."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page_number = page.page_number
        self.height = page.height
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.doctop = page.initial_doctop
        self.unicode_norm = page.pdf.unicode_norm
        self.spaces: dict[str, Any] = {}
        self.keys: tuple[str, ...] | None = None  # pdfplumber's attributes a character has

    def __call__(self, obj: LTChar) -> dict[str, Any]:
        values = obj.__dict__
        if self.keys is None:  # every LTChar sets the same attributes
            self.keys = tuple(k for k in values if k in ALL_ATTRS)
        attr = {k: values[k] for k in self.keys}
        for k, v in attr.items():
            if type(v) not in PLAIN and not _plain(v):
                attr[k] = resolve_all(v)
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        if "ncs" in values:
            name = values["ncs"].name
            if name not in self.spaces:
                self.spaces[name] = resolve_and_decode(name)
            attr["ncs"] = self.spaces[name]
        text = obj.get_text()
        attr["text"] = (
            normalize_unicode(self.unicode_norm, text) if self.unicode_norm is not None else text
        )
        gs = obj.graphicstate
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


def parse_objects(page) -> dict[str, list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """The page's objects by kind, as ``pdfplumber.Page.parse_objects`` returns them."""
    make_char = _CharMaker(page)
    with_containers = page.pdf.laparams is not None
    objects: dict[str, list[dict[str, Any]]] = {}

    def visit(items) -> None:  # type: ignore[no-untyped-def]
        for obj in items:
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

    visit(page.layout._objs)
    return objects


def parse_once(page) -> None:  # type: ignore[no-untyped-def]
    """Parse the page into pdfplumber's own cache, unless something has already."""
    if not hasattr(page, "_objects"):
        page._objects = parse_objects(page)
