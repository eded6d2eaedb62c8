"""Content streams tokenised by qpdf, executed by pdfminer.

pdfminer reads a content stream byte by byte in Python, which is a good part of the time a
text page takes to parse. qpdf, through pikepdf, tokenises the same bytes in C++.
``LeanInterpreter`` is pdfminer's page interpreter fed qpdf's tokens, turned into the objects
pdfminer's own parser makes of them, in the same order: numbers as ints and floats, names as
literals, strings as bytes, arrays as lists, dictionaries keyed by name, operators as
keywords. pdfminer's operators then run on them as before, so the characters, rulings and
images come out the same.

Where the two parsers part ways, pdfminer's parser reads the stream, as it always did:
- anything qpdf warns about (an unterminated token, a dictionary missing a value);
- a token qpdf cannot read: a bad hex string or a stray brace, which qpdf hands over as null;
- an inline image;
- a word pdfminer would split, such as "12Tf", "1e5" or "*a";
- bytes whose meaning the two parsers disagree on:
  - a carriage return, which qpdf turns into a line feed inside a string;
  - a NUL byte, which qpdf takes for a space and pdfminer, after a letter, for part of a word;
  - an escape PDF does not define, or an octal escape above 255;
  - a hex string with an odd number of digits;
  - a ``#`` anywhere, as in a name like ``/A#20B``.
``tests/test_content.py`` holds the two parsers to the same objects.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pikepdf
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import KWD, LIT, PSKeyword, keyword_name

# Bytes after which qpdf's objects may not be pdfminer's (see the module's docstring).
_DISAGREE = re.compile(
    rb"\r|\x00|#|[{}]"
    rb"|\\[^0-7nrtbf()\\\n]|\\[4-7][0-7][0-7]"
    rb"|(?<!<)<(?:\s*[0-9A-Fa-f]\s*[0-9A-Fa-f])*\s*[0-9A-Fa-f]\s*>"
)
# An operator as pdfminer reads it: a letter and what follows up to a delimiter, or a single
# character that starts no number (pdfminer drops a lone sign or point).
_OPERATOR = re.compile(r"[A-Za-z][!-~]*|[!-*,/:-~]")
_NAME, _STRING, _ARRAY, _DICTIONARY = (
    pikepdf.ObjectType.name_,
    pikepdf.ObjectType.string,
    pikepdf.ObjectType.array,
    pikepdf.ObjectType.dictionary,
)
_INLINE_IMAGE = pikepdf.ContentStreamInlineImage
_local = threading.local()
# A stream qpdf warns about goes to pdfminer's parser; pikepdf would also print this warning.
warnings.filterwarnings(
    "ignore",
    message="Unexpected end of stream",
    category=UserWarning,
    module=r"pikepdf\.models\._content_stream",
)


class _Disagree(Exception):
    """qpdf's reading of a stream may not be pdfminer's."""


def _scratch() -> tuple[pikepdf.Pdf, pikepdf.Stream]:
    """This thread's empty PDF and the stream in it that each content stream is written to
    for qpdf to parse (a pikepdf object is not to be shared between threads)."""
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        pdf = pikepdf.new()
        scratch = _local.scratch = (pdf, pikepdf.Stream(pdf, b""))
    return scratch


def _literal(name: str) -> Any:
    # qpdf spells a name with its slash; pdfminer keeps it without.
    if not (name.isascii() and name.isprintable()):
        raise _Disagree
    return LIT(name[1:])


def _object(value: Any) -> Any:
    """qpdf's operand as pdfminer's parser makes it."""
    kind = type(value)
    if kind is int or kind is bool:
        return value
    if kind is Decimal:
        return float(value)
    if value is None:  # a real ``null``, or a token qpdf could not read
        raise _Disagree
    code = value._type_code
    if code is _NAME:
        return _literal(str(value))
    if code is _STRING:
        return bytes(value)
    if code is _ARRAY:
        return [_object(item) for item in value]
    if code is _DICTIONARY:
        return {_literal(key).name: _object(item) for key, item in value.items()}
    raise _Disagree


_KEYWORDS: dict[str, PSKeyword] = {}


def _keyword(operator: pikepdf.Operator) -> PSKeyword:
    name = str(operator)
    keyword = _KEYWORDS.get(name)
    if keyword is None:
        if not _OPERATOR.fullmatch(name):
            raise _Disagree
        keyword = _KEYWORDS[name] = KWD(name.encode())
    return keyword


def objects(data: bytes) -> list[Any] | None:
    """The operands and operators of a content stream, in order, as pdfminer's parser makes
    them (but for operands after the last operator, which none takes); None where qpdf's
    reading may not be pdfminer's."""
    if _DISAGREE.search(data):
        return None
    pdf, holder = _scratch()
    holder.write(data)
    try:
        parsed = pikepdf.parse_content_stream(holder)
        if pdf.get_warnings():
            raise _Disagree
        out: list[Any] = []
        for instruction in parsed:
            if type(instruction) is _INLINE_IMAGE:
                raise _Disagree
            out.extend(map(_object, instruction.operands))
            out.append(_keyword(instruction.operator))
        return out
    except Exception:  # _Disagree, or what qpdf refuses (an operator inside an array)
        _local.scratch = None  # a fresh PDF for the next stream: this one may hold a warning
        return None


def _joined(streams: Sequence[PDFStream]) -> bytes:
    # pdfminer ends a token cut by the end of a stream as if by a line break.
    return b"\n".join(stream.get_data() for stream in streams)


class LeanInterpreter(PDFPageInterpreter):
    """pdfminer's page interpreter, reading content streams with qpdf where qpdf reads them
    as pdfminer does, and looking up each operator's method once per interpreter."""

    def execute(self, streams: Sequence[object]) -> None:
        valid = self._executable(streams)
        try:
            tokens = None if valid is None else objects(_joined(valid))
        except Exception:  # a stream that does not decode: pdfminer's parser says so
            tokens = None
        if tokens is None:
            super().execute(streams)
            return
        self.stream_ids = {stream.objid for stream in valid}  # what a form it draws checks
        methods: dict[PSKeyword, tuple[Callable[..., Any], int] | None] = {}
        push = self.argstack.append
        for token in tokens:
            if type(token) is not PSKeyword:
                push(token)
                continue
            if token not in methods:
                methods[token] = self._method(token)
            found = methods[token]
            if found is None:
                continue
            method, nargs = found
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    method(*args)
            else:
                method()
            push = self.argstack.append  # ``pop`` made a new stack

    def _executable(self, streams: Sequence[object]) -> list[PDFStream] | None:
        """The streams, when pdfminer's ``execute`` would run them all: each an indirect
        object, none already being run further up (a form drawing itself); else None, and
        pdfminer's ``execute`` skips what it must and says why."""
        valid = []
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                return None
            valid.append(stream)
        return valid

    def _method(self, keyword: PSKeyword) -> tuple[Callable[..., Any], int] | None:
        """The interpreter's method for an operator and its number of operands, as pdfminer's
        ``execute`` finds them; None for an operator it does not know."""
        method = getattr(self, method_name(keyword), None)
        if method is None:
            return None
        return method, method.__code__.co_argcount - 1


def method_name(keyword: PSKeyword) -> str:
    """The name of pdfminer's interpreter method for an operator, as its ``execute`` spells
    it ("T*" is ``do_T_a``)."""
    name = keyword_name(keyword)
    return "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
