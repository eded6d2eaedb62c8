"""``generate(seed)``: one document drawn from independent axes, its PDF and its expected record."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from corpus import text as T
from corpus.layouts import Flow, Frame, Pen, Style, available_families
from corpus.pools import cities, load, split
from models import RecordAdapter

DEV_START, DEV_END = 0, 99_999
REPORT_START = 100_000


@dataclass
class Document:
    seed: int
    name: str
    kind: str
    pdf: bytes
    expected: dict[str, Any]
    axes: dict[str, Any] = field(default_factory=dict)

    @property
    def scanned(self) -> bool:
        return bool(self.axes.get("scanned"))


def scanned_draw(seed: int, scanned_share: float = 1 / 3) -> bool:
    """Whether ``generate(seed)`` scans the document, a draw of its own (not the builder's)."""
    return random.Random(seed * 31 + 5).random() < scanned_share


def half_for(seed: int) -> str:
    return "report" if seed >= REPORT_START else "dev"


class Truth:
    """Entities as the document names them, in order, de-duplicated."""

    def __init__(self) -> None:
        self.orgs: list[str] = []
        self.places: list[str] = []
        self.people: list[str] = []

    def add(self, bucket: list[str], *names: str | None) -> None:
        for name in names:
            if name and name not in bucket:
                bucket.append(name)

    def entities(self) -> dict[str, list[str]]:
        return {"organizations": self.orgs, "places": self.places, "people": self.people}


def _pick_city(rng: random.Random, half: str, codes: list[str]) -> dict[str, Any]:
    pool = cities(half)
    code = rng.choice([c for c in codes if pool.get(c)])
    return dict(rng.choice(pool[code]))


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _common_style(rng: random.Random, axes: dict[str, Any]) -> tuple[Style, float, float, float]:
    page = rng.choice(["A4", "Letter"])
    page_w, page_h = A4 if page == "A4" else LETTER
    margin = rng.choice([36.0, 42.0, 50.0, 60.0, 72.0])
    family = rng.choice(available_families())
    size = rng.choice([8.5, 9.0, 9.5, 10.0, 10.5, 11.0])
    style = Style(
        family=family,
        size=size,
        leading=round(size * rng.uniform(1.2, 1.4), 1),
        justify=rng.random() < 0.5,
        hyphenate=rng.random() < 0.5,
        ligatures=rng.random() < 0.5,
    )
    axes.update(
        page=page,
        margin="narrow" if margin < 45 else "medium" if margin < 65 else "wide",
        family=family,
        size=size,
        justify=style.justify,
        hyphenate=style.hyphenate,
        ligatures=style.ligatures,
    )
    return style, page_w, page_h, margin


def _footer(rng: random.Random, axes: dict[str, Any], label: str):  # type: ignore[no-untyped-def]
    form = rng.choice(["none", "number", "page_n", "label_n"])
    axes["footer"] = form
    if form == "none":
        return None

    def draw(pen: Pen, page: int) -> None:
        text = {"number": str(page), "page_n": f"Page {page}", "label_n": f"{label} | {page}"}[form]
        pen.canvas.setFont(pen.font(False), 7.5)
        pen.canvas.setFillColorRGB(0.3, 0.3, 0.3)
        pen.canvas.drawCentredString(pen.page_w / 2, 22, text)
        pen.canvas.setFillColorRGB(0, 0, 0)

    return draw


def generate(
    seed: int,
    scanned: bool | None = None,
    scanned_share: float = 1 / 3,
    force: dict[str, Any] | None = None,
) -> Document:
    """Draw, render and describe one document; deterministic per seed. ``force`` sets scan
    axis values (see ``corpus.scan.scan``), for development seeds only."""
    if force and half_for(seed) != "dev":
        raise ValueError("axis values are forced on development seeds only")
    rng = random.Random(seed * 7919 + 17)
    half = half_for(seed)
    kind = "ucap_summary" if rng.random() < 0.5 else "city_profile"
    if scanned is None:
        scanned = scanned_draw(seed, scanned_share)
    axes: dict[str, Any] = {"kind": kind}
    if kind == "ucap_summary":
        from corpus.ucap import build_ucap as builder
    else:
        builder = build_profile
    pdf, expected = builder(rng, half, axes)
    axes["scanned"] = scanned
    if scanned:
        from corpus.scan import scan

        pdf = scan(pdf, random.Random(seed * 13 + 3), axes, force)
    name = (
        f"{'ucap' if kind == 'ucap_summary' else 'profile'}_{seed:06d}{'_scan' if scanned else ''}"
    )
    pages = int(axes["pages"])
    expected = {
        "schema_version": expected.pop("schema_version"),
        "doc_type": expected.pop("doc_type"),
        "title": expected.pop("title"),
        "source": {
            "file_name": f"{name}.pdf",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "page_count": pages,
            "ocr_pages": list(range(1, pages + 1)) if scanned else [],
            "text_source": "ocr" if scanned else "text",
        },
        **expected,
    }
    RecordAdapter.validate_python(expected)  # the truth must meet the contract itself
    return Document(seed, name, kind, pdf, expected, axes)


def _record_base(title: str, city: dict[str, Any], truth: Truth) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "title": title,
        "city": city,
        "entities": truth.entities(),
        "warnings": [],
        "provenance": {},
    }


def _number_phrase(rng: random.Random, kind: str) -> tuple[str, float]:
    if kind == "big":
        if rng.random() < 0.5:
            n = rng.randint(2, 60)
            return f"{n} million", n * 1_000_000
        m = rng.randint(12, 95) / 10
        return f"{m:g} million", round(m * 1_000_000)
    if kind == "mid":
        n = rng.randint(12, 95) * 1000
        return T.group(n, rng.choice([",", " "])), n
    n = rng.randint(12, 400)
    return str(n), n


FRACTIONS = {"1/3": 1 / 3, "1/4": 0.25, "1/5": 0.2, "2/3": 2 / 3, "1/7": 1 / 7, "1/8": 0.125}


# --------------------------------------------------------------------------- city profile


def build_profile(rng: random.Random, half: str, axes: dict[str, Any]) -> tuple[bytes, dict]:
    sentences = load("sentences")
    themes_pool = split(load("themes")["themes"], half)
    names = T.Names(rng, half)
    city = _pick_city(rng, half, [*load_lead_codes()])
    truth = Truth()
    style, page_w, page_h, margin = _common_style(rng, axes)
    caps_labels = rng.random() < 0.3
    axes["labels"] = "caps" if caps_labels else "title"

    # ---- content
    themes = rng.sample(themes_pool, rng.randint(3, 7))
    title_form = rng.choice(["dash", "colon", "city", "caps", "city_profile"])
    axes["title_form"] = title_form
    title = {
        "dash": f"{city['name']} – City Profile",
        "colon": f"City Profile: {city['name']}",
        "city": city["name"],
        "caps": f"{city['name'].upper()} – CITY PROFILE",
        "city_profile": f"{city['name']} City Profile",
    }[title_form]
    programme_caps = rng.random() < 0.6
    programme = "International Urban and Regional Cooperation"
    funded_text = rng.choice(["Funded by the European Union", "Co-funded by the European Union"])
    truth.add(truth.orgs, "European Union")

    # City facts in prose (or a fact sidebar) in varied forms.
    pop_text, pop_value, pop_form = T.population(rng, int(city["population"] * rng.uniform(1, 3)))
    area_text, area_value = T.area(rng)
    unit = T.area_unit(rng)
    facts_place = rng.choice(["prose", "prose", "sidebar", "none"])
    axes["facts"] = facts_place
    axes["population_form"] = pop_form
    province_form = (
        rng.choice(["capital", "second", "located", "none"]) if city["province"] else "none"
    )
    axes["province_form"] = province_form
    key_figures: list[dict[str, Any]] = []
    city_truth: dict[str, Any] = {
        "name": city["name"], "province": None, "country": None, "population": None,
        "population_text": None, "area_km2": None,
    }  # fmt: skip
    truth.add(truth.places, city["name"])
    prov = city["province"]
    prov_shown = (
        f"{prov} Province" if prov and city["code"] == "CN" and rng.random() < 0.7 else prov
    )
    general: list[str] = []
    if province_form == "capital":
        general.append(
            f"{city['name']}, the capital of {prov_shown}, is located in {city['country']}."
        )
    elif province_form == "second":
        general.append(
            f"{city['name']} is the second-largest city of {prov_shown} and lies in {city['country']}."
        )
    elif province_form == "located":
        general.append(f"{city['name']} is located in {prov_shown}, {city['country']}.")
    else:
        general.append(f"{city['name']} is a city in {city['country']}.")
    if province_form != "none":
        city_truth["province"] = prov
        truth.add(truth.places, prov_shown)
    city_truth["country"] = city["country"]
    truth.add(truth.places, city["country"])
    sidebar_facts: list[str] = []
    if facts_place != "none":
        city_truth.update(population=pop_value, population_text=pop_text, area_km2=area_value)
    if facts_place == "prose":
        form = rng.choice(["about_on", "around_people", "with_population", "home_to"])
        axes["facts_form"] = form
        area_fig = f"{area_text} {unit}"
        if form == "about_on":
            general.append(f"{city['name']} has about {pop_text} inhabitants on {area_fig}.")
            key_figures.append(
                _fig(f"{pop_text} inhabitants", pop_value, "inhabitants", "population")
            )
        elif form == "around_people":
            general.append(f"Around {pop_text} people live in the city, which covers {area_fig}.")
            key_figures.append(_fig(f"{pop_text} people", pop_value, "people", "population"))
        elif form == "with_population":
            general.append(
                f"With a population of {pop_text} and an area of {area_fig}, it is a major city."
            )
            key_figures.append(_fig(pop_text, pop_value, None, "population"))
        else:
            general.append(f"The city is home to {pop_text} residents and covers {area_fig}.")
            key_figures.append(_fig(f"{pop_text} residents", pop_value, "residents", "population"))
        key_figures.append(_fig(area_fig, area_value, unit, "area"))
    elif facts_place == "sidebar":
        sidebar_facts = [f"Population: {pop_text}", f"Area: {area_text} {unit}"]
        key_figures.append(_fig(pop_text, pop_value, None, "population"))
        key_figures.append(_fig(f"{area_text} {unit}", area_value, unit, "area"))

    slots = {"city": city["name"], "country": city["country"]}
    general += [_fill(s, slots) for s in rng.sample(sentences["general"], rng.randint(2, 4))]
    org1, org2 = names.city_org(city["name"]), names.company()
    general.append(rng.choice([
        f"{org1} and {org2} are among the largest employers of the city.",
        f"Research at {org1} is closely linked with companies such as {org2}.",
    ]))  # fmt: skip
    truth.add(truth.orgs, org1, org2)
    if rng.random() < 0.3:
        person = names.person()
        general.append(f"Mayor {person} has made international cooperation a priority of the city.")
        truth.add(truth.people, person)
    kf_place = rng.choice(["prose", "box", "sidebar"])
    axes["key_figures"] = kf_place
    boxed: list[str] = []
    for template in rng.sample(sentences["figures"], rng.randint(2, 4)):
        if template["kind"] == "pct":
            n = rng.randint(3, 85)
            fig = _fig(f"{n}%", n, "%", template["context"])
            sentence = template["t"].replace("{p}", f"{n}%")
        elif template["kind"] == "frac":
            frac = rng.choice(list(FRACTIONS))
            fig = _fig(frac, round(FRACTIONS[frac], 6), "share", template["context"])
            sentence = template["t"].replace("{f}", frac)
        else:
            number, value = _number_phrase(rng, template["kind"])
            fig = _fig(f"{number} {template['unit']}", value, template["unit"], template["context"])
            sentence = template["t"].replace("{n}", fig["text"])
        key_figures.append(fig)
        if kf_place == "prose":
            general.append(sentence)
        else:
            boxed.append(f"{template['context'].capitalize()}: {fig['text']}")
    if kf_place == "sidebar":
        sidebar_facts += boxed
        boxed = []

    paragraphs = _chunks(rng, general)
    headings = {
        "general": rng.choice(["General Socio-economic Profile", "Socio-economic Profile",
                               "City Overview", f"About {city['name']}", "Economy and Society"]),
        "coop": rng.choice(["Preferred Areas of Cooperation", "Areas of Cooperation",
                            "Cooperation Interests", "Proposed Fields of Cooperation"]),
        "strategy": rng.choice(["Development Strategy", "Strategic Priorities", "Vision for the Future"]),
        "themes": rng.choice(["Thematic Interests", "Thematic interests of the city",
                              "Themes of Interest", "Main Thematic Interests"]),
        "figures": rng.choice(["Key Figures", "Facts and Figures", "In Numbers"]),
    }  # fmt: skip
    coop_items = []
    for theme in rng.sample(themes_pool, rng.randint(2, 4)):
        title_c = theme[0] + theme[1:].lower() if rng.random() < 0.5 else theme
        desc = _fill(rng.choice(sentences["cooperation"]), {**slots, "theme": theme.lower()})
        coop_items.append({"title": title_c, "description": desc})
    coop_form = rng.choice(["runin_bold", "runin_colon", "bullet"])
    axes["coop_form"] = coop_form
    sections = [{"heading": headings["general"], "paragraphs": paragraphs}]
    strategy = None
    if rng.random() < 0.4:
        strategy = {
            "heading": headings["strategy"],
            "paragraphs": _chunks(
                rng, [_fill(s, slots) for s in rng.sample(sentences["general"], 3)]
            ),
        }
    coop_paras = []
    for item in coop_items:
        if coop_form == "runin_bold":
            coop_paras.append(f"**{item['title']}.** {item['description']}")
        elif coop_form == "runin_colon":
            coop_paras.append(f"{item['title']}: {item['description']}")
        else:
            coop_paras.append(f"• {item['title']}: {item['description']}")
    coop = {"heading": headings["coop"], "paragraphs": coop_paras, "coop": True}
    order = rng.choice(["general_coop", "general_strategy_coop", "general_coop_strategy"])
    axes["section_order"] = order if strategy else "general_coop"
    sections.append(coop)
    if strategy:
        sections.insert(1 if order == "general_strategy_coop" else 2, strategy)

    # ---- layout
    sidebar = rng.choice(["left", "right", "none"])
    columns = rng.choice([1, 2])
    themes_place = "sidebar" if sidebar != "none" else rng.choice(["box", "section", "end"])
    banner = rng.choice(["above", "beside", "under"])
    picture = rng.random() < 0.5
    axes.update(sidebar=sidebar, columns=columns, themes_place=themes_place, banner=banner,
                picture=picture)  # fmt: skip
    if sidebar == "none" and sidebar_facts:
        boxed = sidebar_facts + boxed
        sidebar_facts = []

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=1)
    pen = Pen(canvas, page_w, page_h, style, _footer(rng, axes, programme))
    label = (lambda s: s.upper()) if caps_labels else (lambda s: s)
    prog_shown = programme.upper() if programme_caps else programme
    top = margin
    title_size = rng.choice([18.0, 20.0, 22.0, 24.0])
    band = rng.random() < 0.3
    axes["title_band"] = band

    def draw_banner(at: float, right_of: float | None = None) -> float:
        x = right_of if right_of is not None else margin
        width = page_w - margin - x
        at = pen.paragraph(prog_shown, x, at, width, 9.5, 12, bold=True, hyphenate=False,
                           justify=False)  # fmt: skip
        at = pen.paragraph(funded_text, x, at, width, 8.5, 11, hyphenate=False, justify=False)
        return at + 4

    if banner == "above":
        top = draw_banner(top)
        pen.hline(margin, page_w - margin, top, 1.0)
        top += 10
    title_top = top
    title_w = page_w - 2 * margin if banner != "beside" else (page_w - 2 * margin) * 0.55
    if band:
        lines = pen.wrap(title, title_w - 12, title_size, True, False)
        pen.box(margin, top - 4, page_w - 2 * margin, len(lines) * title_size * 1.25 + 10,
                (0.12, 0.25, 0.5), stroke=False)  # fmt: skip
        for words in lines:
            pen.line(words, margin + 6, top, title_size, color=(1, 1, 1))
            top += title_size * 1.25
        top += 8
    else:
        top = pen.paragraph(title, margin, top, title_w, title_size, title_size * 1.25, bold=True,
                            hyphenate=False, justify=False)  # fmt: skip
    if banner == "beside":
        top = max(top, draw_banner(title_top, margin + title_w + 12))
    top += 6
    if banner == "under":
        top = draw_banner(top) + 4
    pen.hline(margin, page_w - margin, top, 0.6)
    top += 10
    if picture:
        pic_h = rng.choice([70.0, 90.0, 120.0])
        pen.picture(margin, top, page_w - 2 * margin, pic_h, rng)
        top += pic_h + 12
    side_w = rng.choice([130.0, 150.0, 170.0])
    body_left, body_right = margin, page_w - margin
    size, leading = style.size, style.leading
    if sidebar != "none":
        sx = margin if sidebar == "left" else page_w - margin - side_w
        if sidebar == "left":
            body_left = margin + side_w + 16
        else:
            body_right = page_w - margin - side_w - 16
        shade = rng.random() < 0.5
        stop = top
        content: list[tuple[str, bool]] = [(label(headings["themes"]), True)]
        dot = "• " if rng.random() < 0.5 else ""
        content += [(dot + t, False) for t in themes]
        if sidebar_facts:
            content.append((label(headings["figures"]), True))
            content += [(f, False) for f in sidebar_facts]
        height = sum(
            len(pen.wrap(t, side_w - 16, 9.0, b, False)) * 11.5 + 6 for t, b in content
        ) + 12  # fmt: skip
        if shade:
            pen.box(sx, stop, side_w, height, (0.9, 0.93, 0.97), stroke=False)
        else:
            pen.vline(sx - 8 if sidebar == "right" else sx + side_w + 8, stop, stop + height)
        stop += 8
        for t, b in content:
            stop = pen.paragraph(t, sx + 8, stop, side_w - 16, 9.0, 11.5, bold=b, hyphenate=False,
                                 justify=False) + 6  # fmt: skip
    if themes_place == "box":
        lines = [label(headings["themes"])] + [f"• {t}" for t in themes]
        col_w = (page_w - 2 * margin - 24) / 2
        rows = (len(themes) + 1) // 2
        h = 20 + rows * 2.4 * 11.5
        pen.box(margin, top, page_w - 2 * margin, h, (0.93, 0.95, 0.9), stroke=False)
        pen.paragraph(lines[0], margin + 8, top + 6, page_w - 2 * margin, 9.5, 12, bold=True,
                      hyphenate=False, justify=False)  # fmt: skip
        for i, t in enumerate(lines[1:]):
            x = margin + 8 + (i % 2) * (col_w + 8)
            pen.paragraph(t, x, top + 22 + (i // 2) * 2.4 * 11.5, col_w, 9.0, 11.0,
                          hyphenate=False, justify=False)  # fmt: skip
        top += h + 12

    gutter = 18.0
    bottom = page_h - margin - 14

    def frames(page: int) -> list[Frame]:
        left, right, body_top = (
            (body_left, body_right, top) if page == 0 else (margin, page_w - margin, margin)
        )
        width = (right - left - gutter * (columns - 1)) / columns
        return [Frame(left + i * (width + gutter), body_top, width, bottom) for i in range(columns)]

    flow = Flow(pen, frames)
    h_size = round(size * 1.3, 1)

    def heading(text: str) -> None:
        flow.ensure(leading * 3 + h_size * 2)
        flow.text(label(text), h_size, h_size * 1.3, bold=True, hyphenate=False, justify=False)
        flow.gap(3)

    def bullets(items: list[str]) -> None:
        for item in items:
            flow.text(f"• {item}", size, leading, hyphenate=False, justify=False, hang=9)
            flow.gap(2)

    record_sections = []
    for section in sections:
        heading(section["heading"])
        for para in section["paragraphs"]:
            flow.text(para, size, leading)
            flow.gap(leading * 0.5)
        flow.gap(6)
        plain = " ".join(p.replace("**", "").removeprefix("• ") for p in section["paragraphs"])
        record_sections.append({"heading": label(section["heading"]), "text": plain})
        if themes_place == "section" and section is sections[0]:
            heading(headings["themes"])
            bullets(themes)
            flow.gap(6)
    if boxed:
        heading(headings["figures"])
        bullets(boxed)
        flow.gap(6)
    if themes_place == "end":
        heading(headings["themes"])
        for t in themes:
            flow.text(t, size, leading, hyphenate=False, justify=False)
    pen.finish()
    pdf = buffer.getvalue()
    axes["pages"] = pen.page - 1
    record = {
        **_record_base(title, city_truth, truth),
        "doc_type": "city_profile",
        "programme": programme,
        "funded_by": "European Union",
        "sections": record_sections,
        "thematic_interests": themes,
        "cooperation_areas": coop_items,
        "key_figures": key_figures,
    }
    return pdf, record


def _fig(text: str, value: float, unit: str | None, context: str | None) -> dict[str, Any]:
    return {"text": text, "value": value, "unit": unit, "context": context}


def _chunks(rng: random.Random, sentences: list[str]) -> list[str]:
    out, current = [], []
    for s in sentences:
        current.append(s)
        if len(current) >= 2 and rng.random() < 0.4:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def load_lead_codes() -> list[str]:
    from corpus.pools import LEAD_COUNTRIES

    return LEAD_COUNTRIES
