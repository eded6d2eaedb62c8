"""A "scan": rasterise, rotate, add grain, specks and blur, JPEG-compress, save as image-only PDF."""

from __future__ import annotations

import io
import random
import time
from typing import Any

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter


def scan(
    pdf: bytes, rng: random.Random, axes: dict[str, Any], force: dict[str, Any] | None = None
) -> bytes:
    """``force`` (development only) sets axis values after they are drawn, so every other draw
    of the seed stays as it was: ``dpi`` and ``turn`` exactly; ``colour`` changes the noise
    after it, as a colour page draws its paper tint."""
    force = force or {}
    dpi = rng.choice([150, 200, 200, 250, 300])
    colour = rng.random() < 0.4
    turn = rng.choices([0, 90, 180], weights=[0.9, 0.05, 0.05])[0]
    dpi, turn = int(force.get("dpi", dpi)), int(force.get("turn", turn))
    colour = force.get("colour", "colour" if colour else "grey") == "colour"
    skew = round(rng.uniform(-2.0, 2.0), 2)
    quality = rng.randint(40, 90)
    noise = rng.uniform(3.0, 12.0)
    blur = rng.uniform(0.0, 0.9)
    axes.update(
        dpi=dpi,
        colour="colour" if colour else "grey",
        turn=turn,
        skew="small" if abs(skew) < 1 else "large",
        jpeg="low" if quality < 60 else "high",
    )
    nprng = np.random.default_rng(rng.randrange(2**32))
    document = pypdfium2.PdfDocument(pdf)
    pages: list[Image.Image] = []
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / 72, grayscale=not colour)
            page = bitmap.to_pil().convert("RGB" if colour else "L")
            if colour:  # paper tint
                tint = np.array([rng.uniform(0.93, 1.0) for _ in range(3)])
                page = Image.fromarray((np.asarray(page) * tint).astype(np.uint8), "RGB")
            fill = (255, 255, 255) if colour else 255
            page = page.rotate(skew + turn, resample=Image.Resampling.BILINEAR, fillcolor=fill,
                               expand=turn in (90, 270))  # fmt: skip
            if blur > 0.2:
                page = page.filter(ImageFilter.GaussianBlur(blur))
            pixels = np.asarray(page, dtype=np.int16)
            pixels = pixels + nprng.normal(0.0, noise, pixels.shape).astype(np.int16)
            height, width = pixels.shape[:2]
            for _ in range(rng.randint(20, 120)):
                y, x = rng.randrange(height - 3), rng.randrange(width - 3)
                pixels[y : y + 2, x : x + 2] = 40
            pages.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), page.mode))
    finally:
        document.close()
    fixed = time.gmtime(1_577_836_800)  # 2020-01-01: byte-identical PDFs per seed
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:],
                  quality=quality, creationDate=fixed, modDate=fixed)  # fmt: skip
    return buffer.getvalue()
