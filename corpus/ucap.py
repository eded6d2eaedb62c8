"""The U-CAP summary: a label/city/partners table, a dated timeline, results and a contact."""

from __future__ import annotations

import io
import random
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from corpus import text as T
from corpus.generate import (
    Truth,
    _common_style,
    _fill,
    _footer,
    _pick_city,
    _record_base,
    load_lead_codes,
)
from corpus.layouts import Flow, Frame, Pen, Word
from corpus.pools import PARTNER_COUNTRIES, load, split

SDG_FORMS = ["colon", "tight", "dash", "goal", "space", "number_only"]


def sdg_text(form: str, number: int, title: str) -> str:
    return {
        "colon": f"SDG {number}: {title}",
        "tight": f"SDG{number}: {title}",
        "dash": f"SDG {number} – {title}",
        "goal": f"Goal {number} ({title})",
        "space": f"SDG {number} {title}",
        "number_only": f"SDG {number}",
    }[form]


def build_ucap(rng: random.Random, half: str, axes: dict[str, Any]) -> tuple[bytes, dict]:
    sentences = load("sentences")
    themes_data = load("themes")
    themes_pool = split(themes_data["themes"], half)
    names = T.Names(rng, half)
    truth = Truth()
    city = _pick_city(rng, half, load_lead_codes())
    style, page_w, page_h, margin = _common_style(rng, axes)

    # ---- partners
    n_partners = rng.randint(1, 4)
    partners: list[dict[str, Any]] = []
    used = {city["name"]}
    while len(partners) < n_partners:
        p = _pick_city(rng, half, PARTNER_COUNTRIES)
        if p["name"] not in used:
            used.add(p["name"])
            partners.append(p)
    partner_style = rng.choice(["aligned", "inline", "names_only"])
    axes["partner_style"] = partner_style
    expected_partners = []
    for p in partners:
        region = p["province"] if partner_style != "names_only" else None
        country = p["country"] if partner_style != "names_only" else None
        expected_partners.append({"name": p["name"], "region": region, "country": country})
    if partner_style == "aligned" and not all(p["province"] for p in partners):
        for e in expected_partners:
            e["region"] = None  # the province row carries no partner cell then

    # ---- city facts
    pop_text, pop_value, pop_form = T.population(rng, int(city["population"] * rng.uniform(1, 3)))
    area_text, area_value = T.area(rng)
    axes["population_form"] = pop_form
    has_area = rng.random() < 0.85
    has_province = bool(city["province"]) and rng.random() < 0.9
    if partner_style == "aligned" and not has_province:
        for e in expected_partners:
            e["region"] = None  # no province row, so nothing ties a region to a partner
    city_truth = {
        "name": city["name"],
        "province": city["province"] if has_province else None,
        "country": city["country"],
        "population": pop_value,
        "population_text": pop_text,
        "area_km2": area_value if has_area else None,
    }

    # ---- content
    themes = rng.sample(themes_pool, rng.randint(1, 4))
    sdg_numbers = sorted(rng.sample(range(1, 18), rng.randint(1, 4)), key=lambda _: rng.random())
    sdg_form = rng.choice(SDG_FORMS)
    axes["sdg_form"] = sdg_form
    sdgs = [
        {"number": n, "title": None if sdg_form == "number_only" else themes_data["sdgs"][str(n)]}
        for n in sdg_numbers
    ]
    agenda = rng.sample(themes_data["agenda"], rng.randint(1, 4))
    p0 = partners[0]["name"]
    slots = {"city": city["name"], "partner": p0, "country": city["country"]}
    focus = [
        {
            "theme": t,
            "description": _fill(rng.choice(sentences["focus"]), {**slots, "theme": t.lower()}),
        }
        for t in rng.sample([*themes, *rng.sample(themes_pool, 2)], rng.randint(1, 3))
    ]
    challenges = [
        _fill(s, {**slots, "theme": rng.choice(themes).lower()})
        for s in rng.sample(sentences["challenges"], rng.randint(1, 3))
    ]
    objectives = [
        _fill(s, {**slots, "theme": rng.choice(themes).lower()})
        for s in rng.sample(sentences["objectives"], rng.randint(1, 4))
    ]
    period_text, start, end, y0, m0, y1, m1 = T.period(rng)
    date_form = rng.choice(T.DATE_FORMS)
    axes["date_form"] = date_form
    city_orgs = [names.city_org(city["name"]) for _ in range(3)]
    activities = []
    n_act = rng.randint(2, 7)
    span = max((y1 - y0) * 12 + m1 - m0, 1)
    offsets = sorted(rng.sample(range(span), min(n_act, span)))
    for off in offsets:
        year, month = y0 + (m0 - 1 + off) // 12, (m0 - 1 + off) % 12 + 1
        date_text, iso, _ = T.date(rng, year, month, date_form)
        template = rng.choice(sentences["activities"])
        partner = rng.choice(partners)
        act_slots = {
            "city": city["name"],
            "partner": partner["name"],
            "theme": rng.choice(themes).lower(),
            "org": rng.choice(city_orgs),
            "porg": names.city_org(partner["name"]),
            "company": names.company(),
            "company2": names.company(),
            "person": names.person(),
        }
        description = _fill(template["t"], act_slots)
        # An activity's places are where the cooperation went: the document's own city is
        # implied (the samples' convention), and a name inside an organisation's is no place.
        places = [act_slots[k] for k in template["places"] if k != "city"]
        orgs = [act_slots[k] for k in template["orgs"]]
        people = [act_slots[k] for k in template.get("people", [])]
        outputs = [
            _fill(s, {**act_slots, "partner": partner["name"]})
            for s in rng.sample(sentences["outputs"], rng.randint(0, 3))
        ]
        named = [act_slots[k] for k in ("org", "porg", "company", "company2")]
        for o in outputs:
            for org in (act_slots["porg"], act_slots["org"]):
                if org in o and org not in orgs:
                    orgs.append(org)
            bare = o
            for org in named:
                bare = bare.replace(org, "")
            if partner["name"] in bare and partner["name"] not in places:
                places.append(partner["name"])
        truth.add(truth.orgs, *orgs)
        truth.add(truth.people, *people)
        activities.append(
            {
                "date": iso,
                "date_text": date_text,
                "description": description,
                "places": _dedupe(places),
                "organizations": _dedupe(orgs),
                "outputs": outputs,
            }
        )
    expected_results = [
        _fill(s, {**slots, "theme": rng.choice(themes).lower()})
        for s in rng.sample(sentences["expected"], rng.randint(1, 4))
    ]
    contact_form = rng.choice(["further", "contact_name", "person_paren", "more"])
    axes["contact_form"] = contact_form
    person = names.person() if contact_form in ("contact_name", "person_paren") else None
    slug = T.ascii_slug(city["name"])
    if person:
        first, last = person.split(" ", 1)
        email = f"{T.ascii_slug(first)}.{T.ascii_slug(last).replace('-', '')}@{slug}-iurc.eu"
        truth.add(truth.people, person)
    else:
        email = rng.choice([f"iurc-{slug}@iurc-office.eu", f"info@{slug}-ucap.eu",
                            f"IUC-{slug.upper()}_office@iuc-cooperation.eu"])  # fmt: skip
    contact_line = {
        "further": f"For further information (including access to the full U-CAP), please contact: {email}",
        "contact_name": f"Contact: {person}, {email}",
        "person_paren": f"Contact person: {person} ({email})",
        "more": f"More information: {email}",
    }[contact_form]

    # entity places: the city block, partners, then places named in the timeline
    truth.add(truth.places, city["name"], city_truth["province"], city["country"])
    for e in expected_partners:
        truth.add(truth.places, e["name"], e["region"], e["country"])
    for a in activities:
        truth.add(truth.places, *a["places"])
    # organisations named in the focus texts and outputs are already in the activities
    title = rng.choice([
        "IUC Urban Cooperation Action Plan (U-CAP) Summary",
        f"U-CAP Summary – {city['name']}",
        f"Urban Cooperation Action Plan (U-CAP): {city['name']} and {p0}",
        f"{city['name']} U-CAP Summary",
        "URBAN COOPERATION ACTION PLAN – SUMMARY",
    ])  # fmt: skip
    if title.startswith("IUC"):
        truth.add(truth.orgs, "IUC")

    # ---- layout
    rules = rng.choice(["grid", "hrules", "none"])
    label_frac = rng.uniform(0.25, 0.40)
    bullet = rng.choice([*T.BULLETS, "number", "paren"])
    timeline_place = rng.choice(["inside", "after"])
    agenda_place = rng.choice(["own_row", "after_sdgs"])
    label_style = rng.choice(["bold", "caps", "plain"])
    arrow = rng.choice(["→", "►", "", ""])
    axes.update(
        rules=rules,
        label_width=f"{round(label_frac * 20) * 5}%",
        bullet=bullet,
        timeline=timeline_place,
        agenda=agenda_place,
        labels=label_style,
        partners=len(partners),
    )

    def lab(text: str) -> str:
        return text.upper() if label_style == "caps" else text

    v = rng.choice
    labels = {
        "city": v(["City:", "City", "Cities"]),
        "province": v(["Province, State, Department...:", "Province / State:", "Region/Province", "Province"]),
        "country": v(["Country:", "Country", "Countries"]),
        "population": v(["Population:", "Population", "Inhabitants", "Population (inhabitants)"]),
        "size": v(["Size (km²)", "Size (km2)", "Area:", "Surface area (km²)"]),
        "period": v(["Period of cooperation", "Period of cooperation:", "Cooperation period", "Duration"]),
        "themes": v(["Cooperation Themes:", "Cooperation themes", "Thematic focus", "Themes"]),
        "sdgs": v(["Related SDGs and Urban Agenda topics:", "Related SDGs:", "SDGs"]),
        "agenda": v(["Urban Agenda topics:", "EU Urban Agenda partnerships", "Urban Agenda for the EU"]),
        "focus": v(["Key focus of cooperation themes:", "Key focus:", "Focus areas"]),
        "challenges": v(["Key challenges of cooperation theme:", "Key challenges:", "Challenges"]),
        "objectives": v(["Main objectives of cooperation as described in the U-CAP:", "Main objectives:", "Objectives"]),
        "activities": v(["Short description of main activities and key outputs (e.g. pilot projects):",
                         "Main activities and key outputs:", "Timeline of activities"]),
        "expected": v(["Expected results and benefits:", "Expected results:", "Expected benefits"]),
    }  # fmt: skip

    # cells are lists of items: (text, marker or None)
    Item = tuple[str, str | None]

    def listing(items: list[str], force: bool = False) -> list[Item]:
        if len(items) == 1 and not force:
            return [(items[0], None)]
        return [(it, T.marker(bullet, i)) for i, it in enumerate(items)]

    na = v(["N/A", "–", "n/a", ""])
    area_unit = "" if "km" in labels["size"] else " km²"
    rows: list[tuple[str, list[Item], list[Item] | None]] = []
    pnames = ", ".join(p["name"] for p in partners)
    if partner_style == "inline":
        cell = [(f"{p['name']} ({p['province']}, {p['country']})" if p["province"]
                 else f"{p['name']} ({p['country']})", None) for p in partners]  # fmt: skip
        rows.append((labels["city"], [(city["name"], None)], cell))
    else:
        rows.append((labels["city"], [(city["name"], None)], [(pnames, None)]))
    aligned = partner_style == "aligned"
    if has_province:
        pcell = None
        if aligned and all(p["province"] for p in partners):
            pcell = [(", ".join(p["province"] for p in partners), None)]
        rows.append((labels["province"], [(city["province"], None)], pcell))
    ccell = [(", ".join(p["country"] for p in partners), None)] if aligned else None
    rows.append((labels["country"], [(city["country"], None)], ccell))
    rows.append((labels["population"], [(pop_text, None)], [(na, None)] if na else None))
    if has_area:
        rows.append((labels["size"], [(area_text + area_unit, None)], [(na, None)] if na else None))
    rows.append((labels["period"], [(period_text, None)], None))
    comma_ok = not any("," in t for t in themes)
    theme_form = v(["comma", "lines", "bullets"]) if comma_ok else v(["lines", "bullets"])
    axes["themes_form"] = theme_form
    if theme_form == "comma":
        rows.append((labels["themes"], [(", ".join(themes), None)], None))
    else:
        rows.append((labels["themes"], [(t, None) for t in themes] if theme_form == "lines"
                     else listing(themes, True), None))  # fmt: skip
    sdg_lines = [sdg_text(sdg_form, s["number"], s["title"] or "") for s in sdgs]
    sdg_joined = v([True, False])
    sdg_cell: list[Item] = (
        [("; ".join(sdg_lines), None)] if sdg_joined else [(s, None) for s in sdg_lines]
    )
    agenda_text = ", ".join(agenda)
    if agenda_place == "after_sdgs":
        prefix = v(
            ["EU Urban Agenda Topics:", "Urban Agenda topics:", "Urban Agenda partnerships:"]
        )
        sdg_cell.append((f"{prefix} {agenda_text}", None))
        rows.append((labels["sdgs"], sdg_cell, None))
    else:
        rows.append(
            (labels["sdgs"] if "Agenda" not in labels["sdgs"] else "Related SDGs:", sdg_cell, None)
        )
        rows.append((labels["agenda"], [(agenda_text, None)], None))
    focus_form = v(["colon", "bold_dash"])
    rows.append((labels["focus"], [
        (f"{f['theme']}: {f['description']}" if focus_form == "colon"
         else f"**{f['theme']}** – {f['description']}", None) for f in focus
    ], None))  # fmt: skip
    rows.append((labels["challenges"], listing(challenges), None))
    rows.append((labels["objectives"], listing(objectives), None))
    out_bullet = v(["o", "•", "-", "○", "■", "✓"])
    expected_in_table = rng.random() < 0.4
    axes["expected_place"] = "table" if expected_in_table else "after"

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=1)
    pen = Pen(canvas, page_w, page_h, style, _footer(rng, axes, f"{city['name']} U-CAP"))
    size, leading = style.size, style.leading
    table_w = page_w - 2 * margin
    bottom = page_h - margin - 14

    def frames(page: int) -> list[Frame]:
        return [Frame(margin, margin, table_w, bottom)]

    flow = Flow(pen, frames)
    if rng.random() < 0.4:
        flow.text("INTERNATIONAL URBAN AND REGIONAL COOPERATION", 8.5, 11, bold=True,
                  hyphenate=False, justify=False)  # fmt: skip
        flow.gap(6)
    flow.text(title, rng.choice([13.0, 14.0, 16.0]), 20, bold=True, hyphenate=False, justify=False)
    flow.gap(rng.choice([8, 14, 20]))

    label_w = table_w * label_frac
    city_w = (table_w - label_w) / 2
    pad = 4.0

    def cell_lines(
        items: list[Item], width: float, bold: bool = False
    ) -> list[tuple[list[Word], float]]:
        out: list[tuple[list[Word], float]] = []
        for text_, mark in items:
            if mark:
                words = [(mark, False), *pen.words(text_, bold)]
                hang = pen.width(mark + " ", False, size)
                out += [(w, hang if n else 0.0) for n, w in
                        enumerate(pen.wrap(words, width, size, bold, None, hang))]  # fmt: skip
            else:
                out += [(w, 0.0) for w in pen.wrap(text_, width, size, bold)]
        return out

    def activity_lines(width: float) -> list[tuple[list[Word], float]]:
        out: list[tuple[list[Word], float]] = []
        for a in activities:
            head = [(arrow, False)] if arrow else []
            words = [*head, *pen.words(f"**{a['date_text']}:**"), *pen.words(a["description"])]
            out += [
                (w, 12.0 if n else 0.0) for n, w in enumerate(pen.wrap(words, width, size, hang=12))
            ]
            for o in a["outputs"]:
                ws = [(out_bullet, False), *pen.words(o)]
                out += [(w, 24.0 if n else 14.0) for n, w in
                        enumerate(pen.wrap(ws, width - 14, size, hang=10))]  # fmt: skip
        return out

    def draw_row(
        label_text: str, cells: list[list[tuple[list[Word], float]]], xs: list[float]
    ) -> None:
        lbl = [(w, 0.0) for w in pen.wrap(lab(label_text), label_w - 2 * pad, size,
                                         label_style == "bold", False)]  # fmt: skip
        remaining = [lbl, *cells]
        while any(remaining):
            need = max(len(c) for c in remaining)
            fit = int((flow.frame.bottom - flow.cursor - 2 * pad) // leading)
            if fit < min(need, 2):
                flow.next_frame()
                continue
            take = min(fit, need)
            chunk = [c[:take] for c in remaining]
            remaining = [c[take:] for c in remaining]
            height = take * leading + 2 * pad
            top = flow.cursor
            for index, lines in enumerate(chunk):
                for n, (words, indent) in enumerate(lines):
                    pen.line(words, xs[index] + pad + indent, top + pad + n * leading, size)
            if rules in ("grid", "hrules"):
                pen.hline(margin, margin + table_w, top)
                pen.hline(margin, margin + table_w, top + height)
            if rules == "grid":
                for x in [*xs[: len(remaining)], margin + table_w]:
                    pen.vline(x, top, top + height)
            flow.cursor = top + height + (0 if rules == "grid" else 2)

    x_label, x_city, x_part = margin, margin + label_w, margin + label_w + city_w
    value_w = table_w - label_w - 2 * pad
    for label_text, city_cell, partner_cell in rows:
        if partner_cell is None and label_text in (
            labels["city"],
            labels["province"],
            labels["country"],
            labels["population"],
            labels["size"],
        ):
            draw_row(label_text, [cell_lines(city_cell, city_w - 2 * pad)], [x_label, x_city])
        elif partner_cell is not None:
            draw_row(
                label_text,
                [
                    cell_lines(city_cell, city_w - 2 * pad),
                    cell_lines(partner_cell, city_w - 2 * pad),
                ],
                [x_label, x_city, x_part],
            )
        else:
            draw_row(label_text, [cell_lines(city_cell, value_w)], [x_label, x_city])
    if timeline_place == "inside":
        draw_row(labels["activities"], [activity_lines(value_w)], [x_label, x_city])
    if expected_in_table:
        draw_row(labels["expected"], [cell_lines(listing(expected_results, True), value_w)],
                 [x_label, x_city])  # fmt: skip
    flow.gap(14)
    if timeline_place == "after":
        flow.ensure(60)
        flow.text(
            labels["activities"], size + 1, leading + 2, bold=True, hyphenate=False, justify=False
        )
        flow.gap(4)
        for words, indent in activity_lines(table_w):
            flow.ensure(leading)
            pen.line(words, margin + indent, flow.cursor, size)
            flow.cursor += leading
        flow.gap(12)
    if not expected_in_table:
        flow.ensure(50)
        flow.text(
            labels["expected"], size + 1, leading + 2, bold=True, hyphenate=False, justify=False
        )
        flow.gap(4)
        for i, item in enumerate(expected_results):
            mark = T.marker(bullet, i)
            flow.text(
                f"{mark} {item}", size, leading, hyphenate=False, justify=False, indent=8, hang=10
            )
            flow.gap(2)
        flow.gap(12)
    flow.text(contact_line, size, leading, hyphenate=False, justify=False)
    pen.finish()
    axes["pages"] = pen.page - 1
    record = {
        **_record_base(title, city_truth, truth),
        "doc_type": "ucap_summary",
        "partners": expected_partners,
        "period": {"start": start, "end": end, "text": period_text},
        "themes": themes,
        "sdgs": sdgs,
        "urban_agenda_topics": agenda,
        "focus_areas": focus,
        "challenges": challenges,
        "objectives": objectives,
        "activities": activities,
        "expected_results": expected_results,
        "contacts": [{"name": person, "email": email}],
    }
    return buffer.getvalue(), record


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
