"""The pixels a page is OCR'd from: its own image when it is one, a render otherwise.

A scanned page is usually one image covering the page; rendering it would resample pixels
that are already there, so such an image is decoded once, grey, at its own resolution. Every
other page is rendered, at a resolution lowered to fit ``max_render_pixels`` when the page is
very large. All PDFium calls run on one thread of their own (PDFium is not thread-safe), which
also lets the next page be prepared while Tesseract reads the current one.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from pipeline.base.errors import CitydocsError
from pipeline.base.settings import Settings

# How much of the page (each side) an image must cover to stand for the page.
_COVER = 0.97


@dataclass(frozen=True)
class Raster:
    """A greyscale page image and how its pixels map to PDF points (top-left origin)."""

    image: Image.Image
    scale: tuple[float, float]  # points per pixel, x and y
    origin: tuple[float, float] = (0.0, 0.0)  # the point of pixel (0, 0)
    dpi: int = 300
    source: str = "render"  # or "image": the page's own image

    @cached_property
    def pixels(self) -> np.ndarray:
        """The image as a grey array, made once: skew, rulings and Tesseract all read it."""
        return np.asarray(self.image.convert("L") if self.image.mode != "L" else self.image)

    @classmethod
    def of_pixels(
        cls,
        pixels: np.ndarray,
        scale: tuple[float, float],
        origin: tuple[float, float] = (0.0, 0.0),
        dpi: int = 300,
        source: str = "render",
    ) -> Raster:
        """A raster whose image and ``pixels`` share one grey array, made read-only: a page is
        copied once out of PDFium's bitmap, not again into PIL's image and out of it."""
        pixels.flags.writeable = False
        raster = cls(Image.fromarray(pixels), scale, origin, dpi, source)
        raster.__dict__["pixels"] = pixels  # the cached property, made already
        return raster

    @property
    def size_pt(self) -> tuple[float, float]:
        return self.image.width * self.scale[0], self.image.height * self.scale[1]

    def turned(self, degrees: int) -> Raster:
        """The raster turned clockwise by a multiple of 90°, in a frame of its own."""
        turns = {
            90: Image.Transpose.ROTATE_270,
            180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_90,
        }
        if degrees % 360 == 0:
            return self
        sx, sy = self.scale
        scale = (sy, sx) if degrees % 180 else (sx, sy)
        return replace(self, image=self.image.transpose(turns[degrees % 360]), scale=scale)


def fit_dpi(width_pt: float, height_pt: float, dpi: int, settings: Settings, where: str) -> int:
    """``dpi``, or the highest resolution under it whose raster fits ``max_render_pixels``.

    A poster or a drawing sheet is read at a lower resolution rather than refused; only a page
    that would not fit even at ``ocr_min_dpi`` is refused.
    """
    area = (width_pt / 72) * (height_pt / 72)
    if area * dpi * dpi <= settings.max_render_pixels:
        return dpi
    fitted = math.floor(math.sqrt(settings.max_render_pixels / max(area, 1e-9)))
    if fitted >= settings.ocr_min_dpi:
        return fitted
    raise CitydocsError(
        "too_large",
        f"{where} is {width_pt / 72:.0f} × {height_pt / 72:.0f} inches: even at "
        f"{settings.ocr_min_dpi} dpi it would render to more than "
        f"{settings.max_render_pixels / 1e6:.0f} megapixels (CITYDOCS_MAX_RENDER_PIXELS); it may "
        "be a decompression bomb.",
    )


def page_image(plumber_page, settings: Settings) -> dict | None:
    """The pdfplumber entry of the one image that is the page, or None.

    One image, no text, drawn upright over (nearly) the whole page at ``ocr_image_dpi`` or
    more, and small enough to decode under the raster cap. Tesseract read the words of 250 dpi
    scans better from their own pixels than from a 300 dpi render of them (a render resamples
    the JPEG grain); below that a render is kept, for the layout's sake: word boxes on coarser
    pixels blurred the type sizes that tell a heading from its paragraph.
    """
    if plumber_page.rotation % 360 or plumber_page.chars or len(plumber_page.images) != 1:
        return None
    image = plumber_page.images[0]
    width, height = (int(v) for v in image.get("srcsize") or (0, 0))
    drawn_w, drawn_h = image["x1"] - image["x0"], image["bottom"] - image["top"]
    if drawn_w < _COVER * plumber_page.width or drawn_h < _COVER * plumber_page.height:
        return None
    # A scan saved at 200 dpi is drawn at 199.99…: a hair under counts as the resolution.
    if min(width / (drawn_w / 72), height / (drawn_h / 72)) < settings.ocr_image_dpi - 0.5:
        return None
    if width * height > settings.max_render_pixels:
        return None
    return image


def _grey_images_only(page: pypdfium2.PdfPage) -> bool:
    """Whether all a page draws is grey images, as a scan is: then a grey bitmap renders it as
    PDFium's grey mode does, pixel for pixel, in a fraction of the time. That mode converts
    every colour the page draws, an image's pixels one by one, grey ones too."""
    if pdfium_c.FPDFPage_GetAnnotCount(page) > 0:
        return False
    objects = list(page.get_objects(max_depth=1))
    return bool(objects) and all(
        o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
        and o.get_metadata().colorspace == pdfium_c.FPDF_COLORSPACE_DEVICEGRAY
        for o in objects
    )


def _grey(bitmap: pypdfium2.PdfBitmap) -> np.ndarray:
    """A bitmap's pixels as a grey array of their own: a grey bitmap's copied out of PDFium's
    buffer, any other converted by PIL."""
    if bitmap.format == pdfium_c.FPDFBitmap_Gray:
        return np.array(bitmap.to_numpy())
    return np.array(bitmap.to_pil().convert("L"))


class PageImages:
    """Rasters of one document's pages, made on a thread that owns the PDFium document."""

    def __init__(self, path: Path, password: str | None, settings: Settings, name: str) -> None:
        self._path, self._password, self._settings, self._name = path, password, settings, name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citydocs-raster")
        self._doc: pypdfium2.PdfDocument | None = None
        self._ahead: dict[int, Future[Raster]] = {}

    def _document(self) -> pypdfium2.PdfDocument:
        if self._doc is None:
            self._doc = pypdfium2.PdfDocument(str(self._path), password=self._password)
        return self._doc

    def prefetch(self, index: int, plumber_page) -> None:
        """Start preparing page ``index`` (0-based) while the caller does something else."""
        if index not in self._ahead:
            self._ahead[index] = self._submit(index, plumber_page)

    def first(self, index: int, plumber_page) -> Raster:
        """The raster a page is first OCR'd from: its own image, or a render at ``ocr_dpi``."""
        ahead = self._ahead.pop(index, None) or self._submit(index, plumber_page)
        return ahead.result()

    def render(self, index: int, dpi: int) -> Raster:
        """A render at ``dpi`` (lowered to fit the raster cap)."""
        return self._pool.submit(self._render, index, dpi).result()

    def _submit(self, index: int, plumber_page) -> Future[Raster]:
        image = page_image(plumber_page, self._settings)
        if image is None:
            return self._pool.submit(self._render, index, self._settings.ocr_dpi)
        return self._pool.submit(self._decode, index, image)

    def _render(self, index: int, dpi: int) -> Raster:
        page = self._document()[index]
        width, height = page.get_size()
        dpi = fit_dpi(width, height, dpi, self._settings, f"page {index + 1} of {self._name}")
        if _grey_images_only(page):
            bitmap = page.render(scale=dpi / 72, force_bitmap_format=pdfium_c.FPDFBitmap_Gray)
        else:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
        pixels = _grey(bitmap)
        scale = (width / pixels.shape[1], height / pixels.shape[0])
        return Raster.of_pixels(pixels, scale, dpi=dpi)

    def _decode(self, index: int, entry: dict) -> Raster:
        """The page's own image, grey; a render when PDFium sees it otherwise than pdfplumber."""
        objects = list(self._document()[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
        width, height = (int(v) for v in entry["srcsize"])
        if len(objects) == 1 and objects[0].get_px_size() == (width, height):
            a, b, c, d, _, _ = objects[0].get_matrix().get()
            if a > 0 and d > 0 and b == 0 and c == 0:  # upright, not mirrored
                pixels = _grey(objects[0].get_bitmap(render=False))
                if pixels.shape == (height, width):
                    drawn_w, drawn_h = entry["x1"] - entry["x0"], entry["bottom"] - entry["top"]
                    return Raster.of_pixels(
                        pixels,
                        (drawn_w / width, drawn_h / height),
                        (float(entry["x0"]), float(entry["top"])),
                        dpi=round(width / (drawn_w / 72)),
                        source="image",
                    )
        return self._render(index, self._settings.ocr_dpi)

    def close(self) -> None:
        for future in self._ahead.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        if self._doc is not None:
            self._doc.close()
