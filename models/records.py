"""The record contract in code: one model per JSON object of ``records.md``.

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


IsoDate = Annotated[str | None, AfterValidator(_iso_partial)]
Text = Annotated[str | None, AfterValidator(_no_empty)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Provenance(_Model):
    """Where a value was read: 1-based page, box in PDF points (top-left origin), method."""

    page: int = Field(ge=1)
    bbox: tuple[float, float, float, float]
    method: Literal["text", "ocr"]
    confidence: float | None = Field(
        default=None, description="mean OCR word confidence (0-100) for OCR'd values"
    )

    @field_validator("bbox")
    @classmethod
    def _ordered(cls, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, top, x1, bottom = bbox
        if x1 < x0 or bottom < top:
            raise ValueError(f"bbox must be [x0, top, x1, bottom] with x0<=x1, top<=bottom: {bbox}")
        return bbox


class Source(_Model):
    file_name: NonEmpty
    path: str | None = Field(default=None, description="where the file was read (for overlays)")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    page_count: int = Field(ge=0)
    ocr_pages: list[int] = Field(default_factory=list)
    text_source: Literal["text", "ocr", "mixed"]


class City(_Model):
    name: Text = None
    province: Text = None
    country: Text = None
    population: int | None = Field(default=None, ge=0)
    population_text: Text = None
    area_km2: float | None = Field(default=None, ge=0)


class Entities(_Model):
    organizations: list[NonEmpty] = Field(default_factory=list)
    places: list[NonEmpty] = Field(default_factory=list)
    people: list[NonEmpty] = Field(default_factory=list)


class _Envelope(_Model):
    schema_version: Literal["1.0"] = SCHEMA_VERSION
    title: Text = None
    source: Source
    city: City = Field(default_factory=City)
    entities: Entities = Field(default_factory=Entities)
    warnings: list[str] = Field(default_factory=list)
    provenance: dict[str, Provenance] = Field(default_factory=dict)


class Partner(_Model):
    name: NonEmpty
    region: Text = None
    country: Text = None


class Period(_Model):
    start: IsoDate = None
    end: IsoDate = None
    text: Text = None


class Sdg(_Model):
    number: int = Field(ge=1, le=17)
    title: Text = None


class FocusArea(_Model):
    theme: Text = None
    description: Text = None


class Activity(_Model):
    date: IsoDate = None
    date_text: Text = None
    description: NonEmpty
    places: list[NonEmpty] = Field(default_factory=list)
    organizations: list[NonEmpty] = Field(default_factory=list)
    outputs: list[NonEmpty] = Field(default_factory=list)


class Contact(_Model):
    name: Text = None
    email: Text = None


class UcapRecord(_Envelope):
    doc_type: Literal["ucap_summary"] = "ucap_summary"
    partners: list[Partner] = Field(default_factory=list)
    period: Period = Field(default_factory=Period)
    themes: list[NonEmpty] = Field(default_factory=list)
    sdgs: list[Sdg] = Field(default_factory=list)
    urban_agenda_topics: list[NonEmpty] = Field(default_factory=list)
    focus_areas: list[FocusArea] = Field(default_factory=list)
    challenges: list[NonEmpty] = Field(default_factory=list)
    objectives: list[NonEmpty] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    expected_results: list[NonEmpty] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)


class Section(_Model):
    heading: Text = None
    text: NonEmpty


class CooperationArea(_Model):
    title: Text = None
    description: Text = None


class KeyFigure(_Model):
    text: NonEmpty
    value: float
    unit: Text = None
    context: Text = None


class ProfileRecord(_Envelope):
    doc_type: Literal["city_profile"] = "city_profile"
    programme: Text = None
    funded_by: Text = None
    sections: list[Section] = Field(default_factory=list)
    thematic_interests: list[NonEmpty] = Field(default_factory=list)
    cooperation_areas: list[CooperationArea] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)


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
    kind: FailureKind
    message: NonEmpty = Field(description="one printable line: what happened, what to do")
    detail: str | None = Field(
        default=None, description="what the library that failed said, in full (printable)"
    )


class FailureReport(_Model):
    """What a PDF that could not become a record becomes instead (the quarantine)."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    file_name: NonEmpty
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    error: ErrorInfo
    failed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


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
