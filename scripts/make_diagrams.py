"""Draw the book's schematic diagrams as SVG files in ``book/images/diagrams``.

Each diagram is laid out by hand on a 360-unit-wide canvas (a phone shows it at about
one unit per pixel, so 13-unit text stays at least 12 px tall), in one vertical flow
with at most two columns. Colours are from the Okabe–Ito palette, and every
magnesium site is a yellow badge numbered into a key whose outline style (solid,
dashed, dotted) repeats the strength of the evidence, so the colour is never the only
cue. Text is near-black on pale fills.

Run ``python scripts/make_diagrams.py`` after changing a diagram; a test checks that
the committed SVG files are what this script draws.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "book" / "images" / "diagrams"
WIDTH = 360
FONT = 13
LINE = 16
FAMILY = "'DejaVu Sans', 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1a1a1a"

# Okabe–Ito colours; pale fills are the same hues mixed with white
BLUE, VERMILLION, GREEN = "#0072B2", "#D55E00", "#009E73"
ORANGE, PURPLE, SKY, YELLOW = "#E69F00", "#CC79A7", "#56B4E9", "#F0E442"
FILLS = {
    "signal": ("#FDF0D5", ORANGE),     # hormones, nutrients from outside
    "protein": ("#E3F1FA", BLUE),      # enzymes, receptors, channels
    "brake": ("#F7E4EF", PURPLE),      # inhibitors, harmful inputs
    "outcome": ("#DDF2EA", GREEN),     # what the pathway delivers
    "plain": ("#F2F2F2", "#666666"),
}
#: evidence level -> (colour, dash pattern, words in the key)
EVIDENCE = {
    "established": (BLUE, "", "established"),
    "trials": (GREEN, "9 4", "supported by trials"),
    "hypothesis": (VERMILLION, "2 4", "hypothesis or teaching link"),
}


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def side(self, where: str, shift: float = 0.0) -> tuple[float, float]:
        """Point on the middle of a side ("t", "b", "l", "r"), moved along it by ``shift``."""
        return {
            "t": (self.cx + shift, self.y), "b": (self.cx + shift, self.y + self.h),
            "l": (self.x, self.cy + shift), "r": (self.x + self.w, self.cy + shift),
        }[where]


@dataclass
class Diagram:
    name: str
    title: str
    description: str
    height: float
    parts: list[str] = field(default_factory=list)
    key: list[tuple[str, str]] = field(default_factory=list)

    def text(self, x: float, y: float, lines: str, *, size: int = FONT, weight: str = "normal",
             anchor: str = "middle", colour: str = INK, style: str = "normal") -> None:
        rows = lines.split("\n")
        spans = "".join(
            f'<tspan x="{x:g}" dy="{0 if i == 0 else LINE}">{escape(row)}</tspan>'
            for i, row in enumerate(rows)
        )
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" '
            f'font-style="{style}" text-anchor="{anchor}" fill="{colour}">{spans}</text>'
        )

    def region(self, x: float, y: float, w: float, h: float, label: str) -> None:
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="18" '
            f'fill="#F7FBFE" stroke="{SKY}" stroke-width="3"/>'
        )
        self.text(x + 12, y + 18, label, anchor="start", style="italic", colour="#333333")

    def box(self, x: float, y: float, w: float, h: float, label: str, kind: str = "protein") -> Box:
        fill, stroke = FILLS[kind]
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="7" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="2"/>'
        )
        rows = label.count("\n") + 1
        first = y + h / 2 - (rows - 1) * LINE / 2 + FONT * 0.35
        self.text(x + w / 2, first, label)
        return Box(x, y, w, h)

    def arrow(self, *points: tuple[float, float], inhibit: bool = False, label: str = "",
              at: tuple[float, float] | None = None, anchor: str = "start") -> None:
        path = " ".join(f"{x:g},{y:g}" for x, y in points)
        end = "bar" if inhibit else "head"
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2" '
            f'marker-end="url(#{self.name}-{end})"/>'
        )
        if label and at:
            self.text(at[0], at[1], label, anchor=anchor, style="italic")

    def magnesium(self, box: Box, number: int, evidence: str, note: str, corner: str = "tr") -> None:
        """A numbered Mg²⁺ badge on a box's corner, and its line in the key."""
        colour, dash, _ = EVIDENCE[evidence]
        x = min(box.x + box.w - 34, WIDTH - 52) if corner[1] == "r" else max(box.x - 14, 2)
        y = box.y - 14 if corner[0] == "t" else box.y + box.h - 14
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="48" height="26" rx="13" fill="{YELLOW}" '
            f'stroke="{colour}" stroke-width="3"{dashed}/>'
        )
        self.text(x + 24, y + 18, f"Mg {number}", weight="bold")
        self.key.append((evidence, note))

    def draw_key(self, y: float) -> float:
        """Numbered key of magnesium sites, then the line-style legend; returns the bottom."""
        self.text(10, y, "Where Mg²⁺ acts, and the evidence", anchor="start",
                  weight="bold")
        y += 12
        for number, (evidence, note) in enumerate(self.key, start=1):
            colour, dash, words = EVIDENCE[evidence]
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(
                f'<rect x="10" y="{y:g}" width="48" height="26" rx="13" fill="{YELLOW}" '
                f'stroke="{colour}" stroke-width="3"{dashed}/>'
            )
            self.text(34, y + 18, f"Mg {number}", weight="bold")
            lines = f"{note}\n[{words}]"
            self.text(68, y + 13, lines, anchor="start")
            y += 16 * (lines.count("\n") + 1) + 14
        y += 6
        self.text(10, y + 4, "Badge outline", anchor="start", weight="bold")
        y += 14
        for colour, dash, words in EVIDENCE.values():
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(
                f'<line x1="12" y1="{y + 8:g}" x2="58" y2="{y + 8:g}" stroke="{colour}" '
                f'stroke-width="3.5"{dashed}/>'
            )
            self.text(68, y + 13, words, anchor="start")
            y += 22
        self.parts.append(
            f'<line x1="12" y1="{y + 8:g}" x2="52" y2="{y + 8:g}" stroke="{INK}" stroke-width="2" '
            f'marker-end="url(#{self.name}-head)"/>'
        )
        self.text(68, y + 13, "leads to, activates", anchor="start")
        self.parts.append(
            f'<line x1="200" y1="{y + 8:g}" x2="236" y2="{y + 8:g}" stroke="{INK}" stroke-width="2" '
            f'marker-end="url(#{self.name}-bar)"/>'
        )
        self.text(248, y + 13, "inhibits", anchor="start")
        return y + 24

    def svg(self) -> str:
        defs = (
            f'<marker id="{self.name}-head" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker>'
            f'<marker id="{self.name}-bar" viewBox="0 0 4 12" refX="2" refY="6" '
            'markerWidth="4" markerHeight="12" orient="auto" markerUnits="userSpaceOnUse">'
            f'<rect x="0" y="0" width="4" height="12" fill="{INK}"/></marker>'
        )
        body = "\n".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {self.height:g}" '
            f'width="{WIDTH}" height="{self.height:g}" role="img" '
            f'aria-labelledby="{self.name}-title {self.name}-desc" font-family="{FAMILY}">\n'
            f'<title id="{self.name}-title">{escape(self.title)}</title>\n'
            f'<desc id="{self.name}-desc">{escape(self.description)}</desc>\n'
            f"<defs>{defs}</defs>\n"
            f'<rect width="{WIDTH}" height="{self.height:g}" fill="#FFFFFF"/>\n'
            f"{body}\n</svg>\n"
        )


def _start(name: str, title: str, heading: str, description: str) -> Diagram:
    """A diagram with its accessible title and description, and its visible heading."""
    d = Diagram(name, title, description, 0)
    d.text(WIDTH / 2, 22, heading, size=15, weight="bold")
    return d


def _finish(d: Diagram, key_top: float) -> Diagram:
    d.height = d.draw_key(key_top) + 6
    return d


def beta_cell() -> Diagram:
    d = _start("beta-cell", "The β cell: from glucose to insulin release",
               "β cell: glucose in, insulin out",
               "Stimulus–secretion coupling in the pancreatic β cell, with the sites where "
               "magnesium acts.")
    x, w = 60, 240
    glucose = d.box(x + 40, 36, w - 80, 30, "Blood glucose", "signal")
    d.region(10, 80, 340, 546, "β cell")
    glut = d.box(x, 104, w, 46, "GLUT1 and GLUT3 (human)\nGLUT2 (rodent)")
    gk = d.box(x, 174, w, 46, "Glucokinase:\nglucose + MgATP → G6P")
    mito = d.box(x, 244, w, 46, "Glycolysis, mitochondria:\nATP up, ADP down")
    katp = d.box(x, 314, w, 46, "KATP closes\n(Kir6.2 pore, SUR1)")
    depol = d.box(x, 384, w, 46, "Membrane depolarizes,\nbursts of spikes")
    cav = d.box(x, 454, w, 46, "L-type Ca²⁺ channels\nopen: Ca²⁺ flows in")
    exo = d.box(x, 524, w, 46, "Insulin granules fuse\n(exocytosis)")
    insulin = d.box(x + 40, 648, w - 80, 30, "Insulin to blood", "outcome")
    for a, b in [(glucose, glut), (glut, gk), (gk, mito), (mito, katp), (katp, depol),
                 (depol, cav), (cav, exo), (exo, insulin)]:
        d.arrow(a.side("b"), b.side("t"))
    d.magnesium(gk, 1, "established",
                "Glucokinase and the other kinases\nuse MgATP, not free ATP")
    d.magnesium(katp, 2, "established",
                "MgADP opens KATP through SUR1;\nfree ATP⁴⁻ closes it through Kir6.2")
    d.magnesium(cav, 3, "hypothesis",
                "Mg²⁺ competes with Ca²⁺ entry; the\nnet effect on human secretion is\nnot measured")
    d.magnesium(exo, 4, "hypothesis",
                "Long-standing deficiency lowers\nsecretion (animal and cell data)")
    return _finish(d, 712)


def receptor() -> Diagram:
    d = _start("insulin-receptor", "The insulin receptor and its kinase cascade",
               "Insulin signaling in muscle and fat",
               "The metabolic (PI3K–Akt) and growth (Shc–Ras–MAPK) branches of insulin "
               "signaling, with the serine brake on IRS-1 and the sites where magnesium acts.")
    lx, lw, rx, rw = 12, 180, 208, 142
    ins = d.box(lx + 30, 36, lw - 60, 30, "Insulin", "signal")
    d.parts.append(f'<rect x="0" y="84" width="{WIDTH}" height="66" fill="#EEF6FB"/>')
    d.text(rx + rw / 2, 144, "cell membrane", style="italic", colour="#333333")
    rec = d.box(lx, 94, lw, 46, "Insulin receptor:\nautophosphorylation")
    irs = d.box(lx, 176, lw, 46, "IRS-1\n(tyrosine-P)")
    pi3k = d.box(lx, 254, lw, 46, "PI3K turns PIP2\ninto PIP3")
    akt = d.box(lx, 332, lw, 46, "PDK1 activates Akt")
    as160 = d.box(lx, 410, lw, 46, "Akt switches off AS160\n(a Rab GAP)")
    glut4 = d.box(lx, 488, lw, 46, "GLUT4 to membrane:\nglucose uptake", "outcome")
    for a, b in [(ins, rec), (rec, irs), (irs, pi3k), (pi3k, akt), (akt, as160), (as160, glut4)]:
        d.arrow(a.side("b"), b.side("t"))
    shc = d.box(rx, 168, rw, 62, "Shc → Ras → MAPK\n(ERK): growth;\nET-1 in vessels")
    d.arrow(rec.side("r"), (rx + rw / 2, rec.cy), shc.side("t"))
    jnk = d.box(rx, 254, rw, 46, "JNK, IKKβ\n(TNF-α, FFAs)", "brake")
    d.arrow(jnk.side("l", -10), (irs.x + irs.w + 2, irs.y + irs.h - 6), inhibit=True)
    d.text(rx + rw / 2, 320, "serine-P of IRS-1\n(Ser307, rodent)", style="italic")
    pten = d.box(rx, 362, rw, 46, "PTEN removes\nPIP3", "brake")
    d.arrow(pten.side("l", -12), (pi3k.x + pi3k.w + 2, pi3k.y + pi3k.h - 6), inhibit=True)
    d.magnesium(rec, 1, "established",
                "The receptor's tyrosine kinase needs\nMgATP (as do PI3K, PDK1 and Akt)")
    d.magnesium(irs, 2, "hypothesis",
                "Low Mg²⁺ slows the receptor kinase in\nanimals and cells; in people, unproven")
    d.magnesium(jnk, 3, "hypothesis",
                "Low Mg²⁺ goes with more TNF-α and\nCRP; causation is not shown")
    return _finish(d, 572)


def hepatocyte() -> Diagram:
    d = _start("hepatocyte", "The hepatocyte: insulin and glucagon set glucose output",
               "The liver cell and glucose output",
               "How insulin and glucagon control glucose production by the liver, with the "
               "sites where magnesium acts.")
    lx, lw, rx, rw = 12, 168, 198, 140
    ins = d.box(lx + 24, 36, lw - 48, 30, "Insulin", "signal")
    glucagon = d.box(rx + 20, 36, rw - 40, 30, "Glucagon", "signal")
    d.region(4, 80, 352, 530, "hepatocyte")
    rec = d.box(lx, 108, lw, 46, "Insulin receptor,\nIRS, PI3K")
    akt = d.box(lx, 186, lw, 46, "Akt")
    foxo = d.box(lx, 264, lw, 46, "FoxO1 in nucleus")
    genes = d.box(lx, 342, lw, 46, "PEPCK, G6Pase\ngenes on")
    gng = d.box(lx, 420, lw, 46, "Gluconeogenesis")
    pka = d.box(rx, 108, rw, 46, "cAMP → PKA")
    glycogen = d.box(rx, 264, rw, 46, "Glycogen\nstore")
    gsk3 = d.box(rx, 186, rw, 46, "GSK3", "brake")
    ampk = d.box(rx, 342, 100, 46, "AMPK")
    output = d.box(lx + 40, 530, 250, 46, "Glucose released\nto the blood", "outcome")
    d.arrow(ins.side("b"), rec.side("t"))
    d.arrow(rec.side("b"), akt.side("t"))
    d.arrow(akt.side("b"), foxo.side("t"), inhibit=True, label="blocks", at=(lx + lw / 2 + 8, 254))
    d.arrow(foxo.side("b"), genes.side("t"))
    d.arrow(genes.side("b"), gng.side("t"))
    d.arrow(gng.side("b"), (gng.cx, output.y))
    d.arrow(glucagon.side("b"), pka.side("t"))
    d.arrow(akt.side("r"), gsk3.side("l"), inhibit=True)
    d.arrow(gsk3.side("b"), glycogen.side("t"), inhibit=True, label="synthesis",
            at=(rx + rw / 2 + 8, 254))
    d.arrow(pka.side("r", 10), (350, pka.cy + 10), (350, glycogen.cy), glycogen.side("r"),
            label="", at=None)
    d.text(318, 330, "breakdown", style="italic", anchor="end")
    d.arrow((322, glycogen.y + glycogen.h), (322, output.cy), output.side("r"))
    d.arrow(ampk.side("l"), genes.side("r"), inhibit=True)
    d.magnesium(rec, 1, "established", "MgATP is the substrate of the receptor\nkinase and of Akt")
    d.magnesium(akt, 2, "hypothesis",
                "Low Mg²⁺ weakens the Akt signal in\nliver (animal data, teaching link)")
    d.magnesium(genes, 3, "established",
                "PEPCK binds Mn²⁺ or Mg²⁺; G6Pase\nneeds no metal ion")
    return _finish(d, 630)


def endothelium() -> Diagram:
    d = _start("endothelium", "The endothelium and the smooth muscle beneath it",
               "Vessel wall: endothelium and muscle",
               "Insulin's two branches in the endothelial cell, nitric oxide against "
               "endothelin-1, angiotensin II receptors, and calcium in smooth muscle, with "
               "the sites where magnesium acts.")
    lx, lw, rx, rw = 14, 160, 186, 160
    ins = d.box(110, 36, 140, 30, "Insulin", "signal")
    d.region(4, 80, 352, 256, "endothelial cell")
    rec = d.box(90, 104, 180, 40, "Insulin receptor")
    akt = d.box(lx, 170, lw, 46, "PI3K → Akt\n→ eNOS")
    mapk = d.box(rx, 170, rw, 46, "Shc → Ras\n→ MAPK (ERK)")
    no = d.box(lx, 250, lw, 40, "NO made", "outcome")
    et1 = d.box(rx, 250, rw, 40, "ET-1 made", "brake")
    d.arrow(ins.side("b"), rec.side("t"))
    d.arrow(rec.side("b", -50), akt.side("t"))
    d.arrow(rec.side("b", 50), mapk.side("t"))
    d.arrow(akt.side("b"), no.side("t"))
    d.arrow(mapk.side("b"), et1.side("t"))
    d.region(4, 356, 352, 364, "smooth muscle cell")
    cgmp = d.box(lx, 384, lw, 46, "NO → cGMP:\nrelaxes")
    eta = d.box(rx, 384, rw, 46, "ET-1 on its\nETA receptor")
    at2 = d.box(lx, 460, lw, 46, "AT2R: opposes\nconstriction")
    at1 = d.box(rx, 460, rw, 46, "Angiotensin II\non AT1R", "brake")
    calcium = d.box(60, 548, 240, 46, "Ca²⁺ entry (L-type)\nand release: contraction")
    bp = d.box(60, 640, 240, 46, "Vascular resistance\nand blood pressure", "outcome")
    d.arrow(no.side("b"), cgmp.side("t"))
    d.arrow(et1.side("b"), eta.side("t"))
    d.arrow(eta.side("r", 10), (352, eta.cy + 10), (352, calcium.cy), calcium.side("r"))
    d.arrow(at1.side("b"), (at1.cx, calcium.y))
    d.arrow(cgmp.side("l", 10), (8, cgmp.cy + 10), (8, calcium.cy), calcium.side("l"),
            inhibit=True)
    d.arrow(at2.side("b"), (at2.cx, calcium.y), inhibit=True)
    d.arrow(calcium.side("b"), bp.side("t"))
    d.magnesium(calcium, 1, "established",
                "Mg²⁺ opposes Ca²⁺ entry and release\nin smooth muscle (a Ca²⁺ antagonist)")
    d.magnesium(bp, 2, "trials",
                "Supplements lower blood pressure by\na few mmHg in meta-analyses")
    d.magnesium(no, 3, "hypothesis",
                "Low Mg²⁺ tilts the balance from NO\ntoward ET-1 (teaching link)")
    return _finish(d, 740)


def whole_body() -> Diagram:
    d = _start("whole-body", "The whole-body loop: glucose, insulin and β-cell mass",
               "Glucose, insulin and β-cell mass",
               "The feedback loop between plasma glucose, insulin and β-cell mass that "
               "compensates for insulin resistance, how it fails, and where magnesium acts.")
    cx, w = 40, 150
    insulin = d.box(cx, 44, w, 46, "Plasma insulin\n(I)", "signal")
    si = d.box(214, 110, 136, 46, "Insulin\nsensitivity SI")
    glucose = d.box(cx, 200, w, 46, "Plasma glucose\n(G)", "signal")
    beta = d.box(cx, 360, w, 46, "β-cell mass\n(β)")
    mg = d.box(214, 360, 136, 46, "Body Mg²⁺", "plain")
    d.arrow(insulin.side("b"), glucose.side("t"), inhibit=True)
    d.arrow(si.side("l"), (insulin.cx + 4, si.cy))
    d.text(insulin.cx + 8, 174, "uptake up, liver\noutput down", anchor="start", style="italic")
    d.arrow(glucose.side("b"), beta.side("t"))
    d.text(glucose.cx + 6, 286, "moderate G:\ngrowth; high\nG: loss", anchor="start",
           style="italic")
    d.arrow(beta.side("l"), (18, beta.cy), (18, insulin.cy), insulin.side("l"))
    d.text(24, 286, "secretes\ninsulin;\nG drives it", anchor="start", style="italic")
    d.arrow(mg.side("t", 28), (mg.cx + 28, si.y + si.h))
    d.arrow(glucose.side("r"), (250, glucose.cy), (250, mg.y), inhibit=True)
    d.text(214, 426, "glycosuria:\nrenal Mg²⁺ loss", anchor="start", style="italic")
    d.box(12, 470, 336, 46, "Compensation: SI falls, β and I rise,\nG stays near normal", "outcome")
    d.box(12, 530, 336, 46, "Failure: β cannot keep up, falls;\nG rises to diabetes", "brake")
    d.magnesium(si, 1, "hypothesis",
                "Low body magnesium lowers SI\n(teaching link in the model)")
    d.magnesium(glucose, 2, "trials",
                "Supplements lower fasting glucose and\nHOMA-IR, mainly in deficient people",
                corner="br")
    d.magnesium(mg, 3, "established",
                "High glucose makes the kidney lose\nMg²⁺ (the reverse arrow)", corner="br")
    return _finish(d, 606)


def homeostasis() -> Diagram:
    d = _start("magnesium-homeostasis", "Magnesium homeostasis and causes of deficiency",
               "Magnesium balance and what upsets it",
               "Intake, gut absorption, stores in bone and cells, renal handling along the "
               "nephron, and what drives deficiency.")
    mx, mw, cx, cw = 130, 220, 10, 108
    diet = d.box(mx, 36, mw, 46, "Diet: about 300–400\nmg a day", "signal")
    gut = d.box(mx, 106, mw, 62, "Gut absorbs 30–50 %:\nparacellular, and TRPM6/7\nin the colon")
    blood = d.box(mx, 192, mw, 46, "Serum 0.7–1.0 mmol/L\n(under 1 % of the body's)", "outcome")
    bone = d.box(mx, 262, 104, 46, "Bone\n(over half)", "plain")
    cells = d.box(mx + 116, 262, 104, 46, "Cells,\nmuscle", "plain")
    pt = d.box(mx, 342, mw, 46, "Filtered; proximal\ntubule takes back 10–25 %")
    tal = d.box(mx, 412, mw, 62, "Thick ascending limb\ntakes back 50–70 %\n(paracellular)")
    dct = d.box(mx, 498, mw, 62, "Distal tubule 5–10 %:\nTRPM6, the fine\nadjustment")
    urine = d.box(mx + 30, 584, mw - 60, 30, "Urine", "plain")
    for a, b in [(diet, gut), (gut, blood), (pt, tal), (tal, dct), (dct, urine)]:
        d.arrow(a.side("b"), b.side("t"))
    d.arrow(blood.side("b", -58), bone.side("t"))
    d.arrow(blood.side("b", 58), cells.side("t"))
    d.arrow(blood.side("r", 10), (354, blood.cy + 10), (354, pt.cy), pt.side("r"))
    d.text(cx, 60, "Causes of\ndeficiency", anchor="start", weight="bold")
    ppi = d.box(cx, 106, cw, 62, "Proton-pump\ninhibitors;\ndiarrhea", "brake")
    loop = d.box(cx, 412, cw, 62, "Loop\ndiuretics;\nalcohol", "brake")
    thz = d.box(cx, 506, cw, 46, "Thiazides", "brake")
    glyc = d.box(cx, 342, cw, 46, "Glycosuria", "brake")
    d.arrow(ppi.side("r"), (mx - 2, ppi.cy), inhibit=True)
    d.arrow(glyc.side("r"), (mx - 2, glyc.cy), inhibit=True)
    d.arrow(loop.side("r"), (mx - 2, loop.cy), inhibit=True)
    d.arrow(thz.side("r"), (mx - 2, thz.cy), inhibit=True)
    d.text(10, 640, "Often found with it: low K⁺ (hypokalemia)\nand low Ca²⁺ (hypocalcemia)",
           anchor="start")
    d.magnesium(gut, 1, "established",
                "Long-term proton-pump inhibitors\ncut active absorption in the gut")
    d.magnesium(tal, 2, "established",
                "Loop diuretics, thiazides, alcohol and\nglycosuria raise renal losses")
    d.magnesium(blood, 3, "hypothesis",
                "Low intake or serum Mg²⁺ raises type 2\ndiabetes risk (cohorts and genetics\n"
                "point this way)", corner="tl")
    return _finish(d, 690)


DIAGRAMS = (beta_cell, receptor, hepatocyte, endothelium, whole_body, homeostasis)


def render() -> dict[str, str]:
    """SVG text of every diagram, keyed by file name."""
    out = {}
    for make in DIAGRAMS:
        diagram = make()
        out[f"{diagram.name}.svg"] = diagram.svg()
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
