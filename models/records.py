"""The record contract in code: one model per JSON object of ``models/CONTRACT.md``.

The models are strict about shape (no unknown keys, ISO dates at the document's precision,
``null`` instead of empty strings) so that a record that validates is a record a consumer can
trust without re-checking it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
)

SCHEMA_VERSION = "1.0"

_ISO_PARTIAL = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _iso_partial(value: str | None) -> str | None:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the precision the document gives."""
    if value is not None and not _ISO_PARTIAL.match(value):
        raise ValueError(f"not an ISO 8601 date at year, month or day precision: {value!r}")
    return value


def _no_empty(value: str | None) -> str | None:
    """The contract says ``null`` for "not stated", never ``""``."""
    if value is not None and not value.strip():
        raise ValueError("empty string: use null when the document does not say")
    return value


ISO_PARTIAL_PATTERN = _ISO_PARTIAL.pattern
# The pattern is stated in the schema (a consumer validating with it sees the rule) and checked
# by ``_iso_partial`` (whose message says what is wrong in words).
_IsoString = Annotated[
    str,
    AfterValidator(_iso_partial),
    Field(
        json_schema_extra={
            "pattern": ISO_PARTIAL_PATTERN,
            "description": "ISO 8601 at the precision the document gives: YYYY, YYYY-MM or "
            "YYYY-MM-DD",
            "examples": ["2019", "2019-03", "2019-03-14"],
        }
    ),
]
IsoDate = _IsoString | None
Text = Annotated[str | None, AfterValidator(_no_empty)]
NonEmpty = Annotated[str, Field(min_length=1)]


def _doc(text: str, **kwargs: Any) -> Any:
    """A field with its meaning, in the words of ``models/CONTRACT.md``."""
    return Field(description=text, **kwargs)


DOC_TYPE = (
    '"ucap_summary" or "city_profile", decided from what the document says, never from its '
    "file name"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Provenance(_Model):
    """Where a value was read: 1-based page, box in PDF points (top-left origin), method."""

    page: int = _doc("the 1-based number of the page the value was read on", ge=1)
    bbox: tuple[float, float, float, float] = _doc(
        "[x0, top, x1, bottom] in PDF points from the page's top-left corner"
    )
    method: Literal["text", "ocr"] = _doc("read from the text layer (text) or by OCR (ocr)")
    confidence: float | None = _doc(
        "mean OCR word confidence (0-100) for OCR'd values", default=None
    )

    @field_validator("bbox")
    @classmethod
    def _ordered(cls, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, top, x1, bottom = bbox
        if x1 < x0 or bottom < top:
            raise ValueError(f"bbox must be [x0, top, x1, bottom] with x0<=x1, top<=bottom: {bbox}")
        return bbox


class Source(_Model):
    """The file a record was read from. No path: a record says what the file was, not where
    it lay on one machine (the run index, ``_index.jsonl``, says where)."""

    file_name: NonEmpty = _doc("the input's file name, without its folder")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = _doc(
        "sha256 of the file's bytes (hex)"
    )
    page_count: int = _doc("number of pages", ge=0)
    ocr_pages: list[int] = _doc("1-based numbers of the pages read by OCR", default_factory=list)
    text_source: Literal["text", "ocr", "mixed"] = _doc(
        "where the text came from: the text layer, OCR, or both (some pages each)"
    )


class City(_Model):
    """The document's own city, filled from wherever the document states it."""

    name: Text = _doc("the city's name as the document gives it", default=None)
    province: Text = _doc("the province or region the city belongs to", default=None)
    country: Text = _doc("the city's country", default=None)
    population: int | None = _doc("inhabitants, as an integer", default=None, ge=0)
    population_text: Text = _doc('the population as printed, e.g. "10 million"', default=None)
    area_km2: float | None = _doc("the city's area in square kilometres", default=None, ge=0)


class Entities(_Model):
    """Names found anywhere in the document, each once."""

    organizations: list[NonEmpty] = _doc("organisations named", default_factory=list)
    places: list[NonEmpty] = _doc("places named", default_factory=list)
    people: list[NonEmpty] = _doc("people named", default_factory=list)


class _Head(_Model):
    """What a record starts with, in this order."""

    schema_version: Literal["1.0"] = _doc('the contract\'s version: "1.0"', default=SCHEMA_VERSION)
    doc_type: str = _doc(
        '"ucap_summary" or "city_profile", decided from what the document says, never '
        "from its file name"
    )
    title: Text = _doc("the document's own title line, or null", default=None)
    source: Source = _doc("the file the record was read from")
    city: City = _doc("the document's own city", default_factory=City)


class _Tail(_Model):
    """What a record ends with, after the fields of its kind: provenance last."""

    entities: Entities = _doc(
        "organizations, places and people found anywhere in the document, each name once",
        default_factory=Entities,
    )
    warnings: list[str] = _doc(
        "what the extractor doubted (an unreadable page, a field it looked for and did not "
        "find, an implausible number); empty when nothing",
        default_factory=list,
    )
    provenance: dict[str, Provenance] = _doc(
        "for every filled scalar field and every list item (path[i]): its page, box and method",
        default_factory=dict,
    )


class Partner(_Model):
    name: NonEmpty = _doc("the partner city's name")
    region: Text = _doc("its region, when the document ties one to it", default=None)
    country: Text = _doc("its country, when the document ties one to it", default=None)


class Period(_Model):
    start: IsoDate = _doc("when the cooperation began", default=None)
    end: IsoDate = _doc("when it ended", default=None)
    text: Text = _doc("the period as printed", default=None)


class Sdg(_Model):
    number: int = _doc("the Sustainable Development Goal's number (1-17)", ge=1, le=17)
    title: Text = _doc("its title; null when the document gives only the number", default=None)


class FocusArea(_Model):
    theme: Text = _doc("the key focus's theme", default=None)
    description: Text = _doc("what the document says about it", default=None)


class Activity(_Model):
    date: IsoDate = _doc("when it took place", default=None)
    date_text: Text = _doc("the date as printed", default=None)
    description: NonEmpty = _doc("the timeline item's text")
    places: list[NonEmpty] = _doc(
        "places the item names other than the document's own city", default_factory=list
    )
    organizations: list[NonEmpty] = _doc("organisations the item names", default_factory=list)
    outputs: list[NonEmpty] = _doc("the item's sub-bullets", default_factory=list)


class Contact(_Model):
    name: Text = _doc("the contact's name", default=None)
    email: Text = _doc("the contact's e-mail address", default=None)


class _UcapFields(_Model):
    partners: list[Partner] = _doc(
        "the partner cities of the table, each {name, region, country}", default_factory=list
    )
    period: Period = _doc(
        "the period of cooperation as dates, and as printed", default_factory=Period
    )
    themes: list[NonEmpty] = _doc(
        "the cooperation themes, one string per theme, as named", default_factory=list
    )
    sdgs: list[Sdg] = _doc(
        "the Sustainable Development Goals named, each {number, title}", default_factory=list
    )
    urban_agenda_topics: list[NonEmpty] = _doc(
        "the topics of the Urban Agenda for the EU that the document names", default_factory=list
    )
    focus_areas: list[FocusArea] = _doc(
        "{theme, description} for each key focus", default_factory=list
    )
    challenges: list[NonEmpty] = _doc(
        "one string per challenge (per bullet when the cell is a list)", default_factory=list
    )
    objectives: list[NonEmpty] = _doc(
        "one string per objective (per bullet when the cell is a list)", default_factory=list
    )
    activities: list[Activity] = _doc("the timeline, in order", default_factory=list)
    expected_results: list[NonEmpty] = _doc("one string per expected result", default_factory=list)
    contacts: list[Contact] = _doc("{name, email} for each contact given", default_factory=list)


class UcapRecord(_Tail, _UcapFields, _Head):
    """A U-CAP summary."""

    doc_type: Literal["ucap_summary"] = _doc(DOC_TYPE, default="ucap_summary")


class Section(_Model):
    heading: Text = _doc("the section's heading, or null", default=None)
    text: NonEmpty = _doc("its prose, a paragraph cut by a column or page break joined again")


class CooperationArea(_Model):
    title: Text = _doc("the area of cooperation's title", default=None)
    description: Text = _doc("what the city proposes in it", default=None)


class KeyFigure(_Model):
    text: NonEmpty = _doc('the figure as printed, e.g. "400 million people"')
    value: float = _doc(
        'its value: 400000000 for "400 million", a fraction as a share (0-1), a percentage '
        "as its number (90 for 90 %)"
    )
    unit: Text = _doc('what it counts: e.g. "people", "share", "%"', default=None)
    context: Text = _doc("the words around it that say what it is about", default=None)


class _ProfileFields(_Model):
    programme: Text = _doc(
        'the programme named in the banner, e.g. "International Urban and Regional Cooperation"',
        default=None,
    )
    funded_by: Text = _doc('who funds it, as the banner says (e.g. "European Union")', default=None)
    sections: list[Section] = _doc(
        "{heading, text} for each prose section in reading order", default_factory=list
    )
    thematic_interests: list[NonEmpty] = _doc(
        "the city's thematic interests, one string each, wherever the flyer lists them",
        default_factory=list,
    )
    cooperation_areas: list[CooperationArea] = _doc(
        "{title, description} for each area of cooperation the city proposes",
        default_factory=list,
    )
    key_figures: list[KeyFigure] = _doc(
        "{text, value, unit, context} for each figure the prose states", default_factory=list
    )


class ProfileRecord(_Tail, _ProfileFields, _Head):
    """A city profile."""

    doc_type: Literal["city_profile"] = _doc(DOC_TYPE, default="city_profile")


Record = Annotated[UcapRecord | ProfileRecord, Field(discriminator="doc_type")]
RecordAdapter: TypeAdapter[UcapRecord | ProfileRecord] = TypeAdapter(Record)

FailureKind = Literal[
    "not_a_pdf",
    "encrypted",
    "corrupt",
    "empty",
    "too_large",
    "timeout",
    "unknown_doc_type",
    "internal",
]


class ErrorInfo(_Model):
    kind: FailureKind = _doc("why the PDF could not become a record")
    message: NonEmpty = _doc("one printable line: what happened and what a person can do")
    detail: str | None = Field(
        default=None, description="what the library that failed said, in full (printable)"
    )


class FailureReport(_Model):
    """What a PDF that could not become a record becomes instead (the quarantine)."""

    schema_version: Literal["1.0"] = _doc('the contract\'s version: "1.0"', default=SCHEMA_VERSION)
    file_name: NonEmpty = _doc("the input's file name")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = _doc(
        "sha256 of the file's bytes; null when it could not be read at all", default=None
    )
    error: ErrorInfo = _doc("the failure's kind and what to do about it")
    failed_at: datetime = _doc("when it failed (UTC)", default_factory=lambda: datetime.now(UTC))


def record_json_schema() -> dict[str, Any]:
    """JSON Schema of everything citydocs writes: a record of either kind or a failure report."""
    adapter: TypeAdapter[Any] = TypeAdapter(
        Annotated[
            Annotated[UcapRecord | ProfileRecord, Field(discriminator="doc_type")] | FailureReport,
            Field(title="citydocs output"),
        ]
    )
    schema = adapter.json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"citydocs record (schema_version {SCHEMA_VERSION})"
    return schema
