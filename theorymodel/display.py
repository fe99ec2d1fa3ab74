"""Pictures and tables for notebooks and files, with no system Graphviz.

Everything is drawn as a small *scene* (rectangles, circles, lines, text) and rendered
either as SVG text by hand, or through matplotlib for PNG and PDF. The scenes:

- :func:`machine_scene`: a state graph (states on a circle, one labelled edge per
  transition ``read→write,move``, self-loops as small arcs; final states double circles);
- :func:`circuit_scene`: a gate graph layered by depth (iterated in topological order);
- :func:`tableau_scene`: a chain of thought as rows of cells, head cells marked with
  their state (the tableau and uniform routes; other CoTs as a strip of tokens).

:func:`html_table` renders verdicts and results as HTML for ``_repr_html_``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from theorymodel.errors import ResourceLimitError

CELL = 34  # pixels per tableau cell
HEAD_FILL = "#ffd479"
CELL_FILL = "#f4f6fa"
WALL_FILL = "#d0d4dc"
HEAD_TOKEN = re.compile(r"^\[(.+)\](.*)$")
MAX_PICTURE_STATES = 1000  # states in a state graph (each a circle with its edges and labels)
MAX_RASTER_AREA = 36_000_000  # square pixels of a scene drawn by matplotlib (png, pdf): about 100 states
# characters XML 1.0 does not allow (a name read from a file may hold them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(s: str) -> str:
    """``s`` as SVG text: markup escaped, and each character that XML 1.0 forbids (control
    characters, lone surrogates) written as a visible escape such as ``\\x01``."""
    return html.escape(_NOT_XML.sub(lambda m: ascii(m.group())[1:-1], s))


CHAR_WIDTH = 0.62  # a character's width in em, a bound on DejaVu Sans' and Arial's average (boxes err wide)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_box(x: float, y: float, s: str, size: float, anchor: str = "middle") -> Box:
    """The box a text shape takes: ``size`` high, centred on ``y``, :data:`CHAR_WIDTH` em per character."""
    w = CHAR_WIDTH * size * len(s)
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return (x0, y - size / 2, x0 + w, y + size / 2)


def boxes_overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class Scene:
    """Shapes in pixel coordinates (y down), as SVG draws them."""

    width: float
    height: float
    shapes: list[tuple[Any, ...]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Scene({self.width:.0f} x {self.height:.0f} px, {len(self.shapes)} shapes)"

    def text_boxes(self) -> list[tuple[str, Box]]:
        """Each text shape with its box (:func:`text_box`)."""
        return [(sh[3], text_box(sh[1], sh[2], sh[3], sh[4], sh[6])) for sh in self.shapes if sh[0] == "text"]

    def boxes(self) -> list[Box]:
        """The box of every shape."""
        out: list[Box] = [b for _, b in self.text_boxes()]
        for sh in self.shapes:
            if sh[0] == "rect":
                out.append((sh[1], sh[2], sh[1] + sh[3], sh[2] + sh[4]))
            elif sh[0] == "circle":
                out.append((sh[1] - sh[3], sh[2] - sh[3], sh[1] + sh[3], sh[2] + sh[3]))
            elif sh[0] == "line":
                out.append((min(sh[1], sh[3]), min(sh[2], sh[4]), max(sh[1], sh[3]), max(sh[2], sh[4])))
        return out

    def fit(self, margin: float = 10, top: float = 0) -> None:
        """Move every shape so the drawing starts ``margin`` from the left and ``margin + top``
        from the top, and size the canvas to hold it with ``margin`` to spare."""
        boxes = self.boxes()
        if not boxes:
            return
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        dx, dy = margin - x0, margin + top - y0
        moved = []
        for sh in self.shapes:
            if sh[0] == "line":
                moved.append((sh[0], sh[1] + dx, sh[2] + dy, sh[3] + dx, sh[4] + dy, *sh[5:]))
            else:
                moved.append((sh[0], sh[1] + dx, sh[2] + dy, *sh[3:]))
        self.shapes = moved
        self.width = max(b[2] for b in boxes) + dx + margin
        self.height = max(b[3] for b in boxes) + dy + margin

    def titled(self, title: str, size: float = 12) -> None:
        """Fit the drawing below a title line, widening the canvas if the title is wider."""
        self.fit(top=size + 10)
        self.text(10, 10 + size / 2, title, size, anchor="start")
        self.width = max(self.width, 20 + CHAR_WIDTH * size * len(title))

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str = "#7a8090") -> None:
        self.shapes.append(("rect", x, y, w, h, fill, stroke))

    def circle(self, x: float, y: float, r: float, fill: str = "white", stroke: str = "#333") -> None:
        self.shapes.append(("circle", x, y, r, fill, stroke))

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str = "#555", arrow: bool = False) -> None:
        self.shapes.append(("line", x1, y1, x2, y2, color, arrow))

    def text(self, x: float, y: float, s: str, size: float = 11, color: str = "#111", anchor: str = "middle") -> None:
        self.shapes.append(("text", x, y, s, size, color, anchor))

    def _repr_svg_(self) -> str:
        return self.svg()

    def svg(self) -> str:
        """The scene as a standalone SVG document."""
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" height="{self.height:.0f}" '
               f'viewBox="0 0 {self.width:.0f} {self.height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">',
               '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
               'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
               f'<rect x="0" y="0" width="{self.width:.0f}" height="{self.height:.0f}" fill="white"/>']
        for shape in self.shapes:
            kind = shape[0]
            if kind == "rect":
                _, x, y, w, h, fill, stroke = shape
                out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
                           f'stroke="{stroke}" stroke-width="0.8"/>')
            elif kind == "circle":
                _, x, y, r, fill, stroke = shape
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" '
                           'stroke-width="1.2"/>')
            elif kind == "line":
                _, x1, y1, x2, y2, color, arrow = shape
                tip = ' marker-end="url(#arrow)"' if arrow else ""
                out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                           f'stroke-width="1"{tip}/>')
            else:
                _, x, y, s, size, color, anchor = shape
                out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" fill="{color}" '
                           f'text-anchor="{anchor}" dominant-baseline="middle">{_xml_text(s)}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def figure(self) -> Any:
        """The scene drawn by matplotlib (for PNG and PDF)."""
        from theorymodel.plotting import pyplot

        plt = pyplot()
        dpi = 100
        fig = plt.figure(figsize=(max(self.width, 1) / dpi, max(self.height, 1) / dpi), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.axis("off")
        from matplotlib.patches import Circle, Rectangle

        for shape in self.shapes:
            kind = shape[0]
            if kind == "rect":
                _, x, y, w, h, fill, stroke = shape
                ax.add_patch(Rectangle((x, y), w, h, facecolor=fill, edgecolor=stroke, linewidth=0.6, zorder=2))
            elif kind == "circle":
                _, x, y, r, fill, stroke = shape
                ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor=stroke, linewidth=1, zorder=2))
            elif kind == "line":
                _, x1, y1, x2, y2, color, arrow = shape
                if arrow:
                    ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                                arrowprops={"arrowstyle": "->", "color": color, "lw": 0.8}, zorder=1)
                else:
                    ax.plot([x1, x2], [y1, y2], color=color, linewidth=0.8, zorder=1)
            else:
                _, x, y, s, size, color, anchor = shape
                ha = {"middle": "center", "start": "left", "end": "right"}[anchor]
                ax.text(x, y, s, fontsize=size * 0.75, color=color, ha=ha, va="center", zorder=3)
        return fig

    def save(self, path: str | Path) -> Path:
        """Write the picture; the format follows the extension (svg, png or pdf)."""
        from theorymodel.io import atomic_write
        from theorymodel.plotting import plot_format, save_figure

        fmt = plot_format(path)
        if fmt == "svg":
            return atomic_write(path, self.svg().encode("utf-8"))
        if self.width * self.height > MAX_RASTER_AREA:  # refused before matplotlib lays anything out
            raise ResourceLimitError(
                f"a {fmt} picture of {self.width:.0f} x {self.height:.0f} pixels is larger than the cap of "
                f"{MAX_RASTER_AREA:,} square pixels; draw it as .svg", limit="size-cap",
                details={"width": round(self.width), "height": round(self.height), "cap": MAX_RASTER_AREA})
        return save_figure(self.figure(), path)


# -- machines -------------------------------------------------------------------------------
def machine_scene(tm: Any) -> Scene:
    """A machine's state graph: states on a circle in the order with the fewest crossing
    edges (searched for up to :data:`MAX_ORDERED_STATES` states), one arrow per (state,
    next state) with its transitions listed beside it; final states double circles,
    other halting states grey. A label that finds no free place beside its arrow is listed
    under the graph instead, so no text overlaps another."""
    states = list(tm.states)
    k = len(states)
    if k > MAX_PICTURE_STATES:  # refused before the layout
        raise ResourceLimitError(f"a state graph of {k} states is larger than the cap of {MAX_PICTURE_STATES}",
                                 limit="size-cap", details={"states": k, "cap": MAX_PICTURE_STATES})
    labels: dict[tuple[str, str], list[str]] = {}
    for q, row in tm.transitions.items():
        for sym, step in row.items():
            labels.setdefault((q, step.next_state), []).append(f"{sym}→{step.write},{step.move}")
    order = _circle_order(states, tm.initial_state, [e for e in labels if e[0] != e[1]])
    radius_of = {q: max(22.0, CHAR_WIDTH * 11 * len(q) / 2 + 6) for q in states}
    R = max(60.0, (sum(2 * r for r in radius_of.values()) + 70 * k) / (2 * math.pi))
    pos = {q: (R * math.cos(2 * math.pi * i / k - math.pi / 2), R * math.sin(2 * math.pi * i / k - math.pi / 2))
           for i, q in enumerate(order)}
    scene = Scene(0, 0)
    taken: list[Box] = [(x - radius_of[q], y - radius_of[q], x + radius_of[q], y + radius_of[q])
                        for q, (x, y) in pos.items()]
    unplaced: list[str] = []

    def place(candidates: list[tuple[float, float]], texts: list[str]) -> bool:
        w = max(CHAR_WIDTH * 10 * len(t) for t in texts)
        h = 12 * len(texts)
        for cx, cy in candidates:
            box = (cx - w / 2 - 2, cy - h / 2 - 1, cx + w / 2 + 2, cy + h / 2 + 1)
            if not any(boxes_overlap(box, other) for other in taken):
                taken.append(box)
                for j, t in enumerate(texts):
                    scene.text(cx, cy - h / 2 + 6 + 12 * j, t, 10, "#334")
                return True
        return False

    for (u, v), texts in labels.items():
        (x1, y1), (x2, y2), ru, rv = pos[u], pos[v], radius_of[u], radius_of[v]
        if u == v:  # a self-loop: a small circle outside, its label beyond it
            norm = math.hypot(x1, y1) or 1.0
            dx, dy = x1 / norm, y1 / norm
            lx, ly = x1 + dx * (ru + 10), y1 + dy * (ru + 10)
            scene.circle(lx, ly, 12, "none", "#555")
            taken.append((lx - 12, ly - 12, lx + 12, ly + 12))
            spots = [(lx + dx * d + dy * t, ly + dy * d - dx * t) for d in (30, 45, 60, 80) for t in (0, 20, -20)]
            if not place(spots, texts):
                unplaced.append(f"{u} → {v}: {'; '.join(texts)}")
            continue
        d = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / d, (y2 - y1) / d
        ox, oy = -uy * 6, ux * 6  # two directions of one pair stay apart
        sx, sy = x1 + ux * ru + ox, y1 + uy * ru + oy
        ex, ey = x2 - ux * rv + ox, y2 - uy * rv + oy
        scene.line(sx, sy, ex, ey, "#555", arrow=True)
        spots = [(sx + (ex - sx) * t + ox * f, sy + (ey - sy) * t + oy * f)
                 for f in (2.5, 4.5, -2.5, -4.5) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)]
        if not place(spots, texts):
            unplaced.append(f"{u} → {v}: {'; '.join(texts)}")
    for q, (x, y) in pos.items():
        halting = not tm.transitions.get(q)
        final = q in tm.final_states
        scene.circle(x, y, radius_of[q], "#dddddd" if halting and not final else "white")
        if final:
            scene.circle(x, y, radius_of[q] - 4, "none")
        scene.text(x, y, q, 11)
    x0, y0 = pos[tm.initial_state]
    r0 = radius_of[tm.initial_state]
    scene.line(x0 - r0 - 30, y0 - r0 - 10, x0 - r0 * 0.7, y0 - r0 * 0.7, "#555", arrow=True)
    bottom = max(b[3] for b in scene.boxes())
    left = min(b[0] for b in scene.boxes())
    if unplaced:
        scene.text(left, bottom + 16, "transitions drawn without their label:", 10, "#334", "start")
        for j, line in enumerate(unplaced):
            scene.text(left, bottom + 30 + 13 * j, line, 10, "#334", "start")
    scene.titled(f"{tm.name}: {k} states, {len(tm.tape_symbols)} symbols")
    return scene


MAX_ORDERED_STATES = 8  # states whose order on the circle is searched exhaustively (7! orders)


def _circle_order(states: list[str], initial: str, edges: list[tuple[str, str]]) -> list[str]:
    """The states in the circle order with the fewest crossing chords, the initial state
    first (ties: the file's order). Past :data:`MAX_ORDERED_STATES`, the order of a
    breadth-first walk from the initial state."""
    from itertools import permutations

    rest = [q for q in states if q != initial]
    chords = sorted({(min(a, b), max(a, b)) for a, b in edges})  # an edge and its reverse cross alike
    if len(states) > MAX_ORDERED_STATES:
        seen, queue = [initial], [initial]
        for q in queue:
            for a, b in edges:
                if a == q and b not in seen:
                    seen.append(b)
                    queue.append(b)
        return seen + [q for q in states if q not in seen]

    def crossings(order: tuple[str, ...]) -> int:
        at = {q: i for i, q in enumerate(order)}
        spans = [tuple(sorted((at[a], at[b]))) for a, b in chords]
        return sum(1 for i, (a, b) in enumerate(spans) for c, d in spans[i + 1:]
                   if len({a, b, c, d}) == 4 and (a < c < b) != (a < d < b))

    best = min(permutations(rest), key=lambda p: crossings((initial, *p)))
    return [initial, *best]


# -- circuits -------------------------------------------------------------------------------
def circuit_scene(circuit: Any, *, max_gates: int = 400) -> Scene:
    """Gates layered by depth (inputs left, outputs right), each box naming its gate;
    edges from every fan-in. Iterates in topological order (no recursion)."""
    depth: dict[str, int] = dict.fromkeys(circuit.inputs, 0)
    for name, gate in circuit.gates.items():  # stored in topological order
        depth[name] = 1 + max((depth[f] for f in gate.fanins), default=0)
    shown = list(circuit.inputs) + list(circuit.gates)[:max_gates]
    layers: dict[int, list[str]] = {}
    for name in shown:
        layers.setdefault(depth[name], []).append(name)
    col_w, row_h, box_w, box_h = 130, 44, 100, 26
    n_rows = max(len(v) for v in layers.values())
    scene = Scene(col_w * (max(layers) + 1) + 40, row_h * n_rows + 60)
    where: dict[str, tuple[float, float]] = {}
    for d, names in layers.items():
        for i, name in enumerate(names):
            where[name] = (20 + d * col_w, 40 + i * row_h)
    for name in shown[len(circuit.inputs):]:
        x, y = where[name]
        for f in circuit.gates[name].fanins:
            if f not in where:
                continue
            fx, fy = where[f]
            start, end = (fx + box_w, fy + box_h / 2), (x, y + box_h / 2)
            if depth[name] - depth[f] > 1:  # past other columns: along the free lane under the source's row
                lane = fy + (box_h + row_h) / 2
                path = [start, (fx + box_w + 10, lane), (x - 10, lane), end]
            else:  # the next column: straight across the gap between the columns
                path = [start, end]
            for (x1, y1), (x2, y2) in pairwise(path):
                scene.line(x1, y1, x2, y2, "#8890a0", arrow=(x2, y2) == end)
    outputs = set(circuit.outputs)
    for name, (x, y) in where.items():
        gate = circuit.gates.get(name)
        label = name if gate is None else f"{name}: {gate.op.lower()}"
        if gate is not None and gate.op == "THRESHOLD":
            label = f"{name}: ≥{gate.threshold}"
        fill = "#e3f0ff" if gate is None else (HEAD_FILL if name in outputs else CELL_FILL)
        scene.rect(x, y, box_w, box_h, fill)
        scene.text(x + box_w / 2, y + box_h / 2, label[:15], 10)
    scene.titled(f"{circuit.name}: {len(circuit.inputs)} inputs, {circuit.n_gates} gates"
                 + (f" (first {max_gates} drawn)" if circuit.n_gates > max_gates else ""))
    return scene


# -- chains of thought ----------------------------------------------------------------------
NOT_GENERATED = "·"  # a tableau cell the head cannot have reached yet: the CoT has no token for it


def tableau_scene(rows: Sequence[Sequence[str]], *, title: str = "", row_names: Sequence[str] = ()) -> Scene:
    """Rows of cell tokens: ``[q]s`` is drawn as ``s`` on a highlighted cell with ``q``
    above it; ``#`` as a grey wall; an empty string as no cell (the input row's columns
    left of the input); :data:`NOT_GENERATED` explained under the rows."""
    width = max((len(r) for r in rows), default=0)
    left = 56
    scene = Scene(left + CELL * width + 12, (CELL + 6) * len(rows) + 8)
    for t, row in enumerate(rows):
        y = t * (CELL + 6)
        scene.text(left - 8, y + CELL / 2, row_names[t] if t < len(row_names) else f"t={t}", 10, "#556", "end")
        for i, tok in enumerate(row):
            x = left + i * CELL
            m = HEAD_TOKEN.match(tok)
            if tok == "":
                continue
            if tok == "#":
                scene.rect(x, y, CELL, CELL, WALL_FILL)
                scene.text(x + CELL / 2, y + CELL / 2, "#", 11, "#556")
            elif m:
                scene.rect(x, y, CELL, CELL, HEAD_FILL, "#b07800")
                scene.text(x + CELL / 2, y + CELL / 2 + 5, m.group(2), 12)
                scene.text(x + CELL / 2, y + 8, m.group(1)[:6], 8, "#7a4a00")
            else:
                scene.rect(x, y, CELL, CELL, CELL_FILL)
                scene.text(x + CELL / 2, y + CELL / 2, tok[:4], 12)
    if any(NOT_GENERATED in row for row in rows):
        scene.text(left, (CELL + 6) * len(rows) + 6, f"{NOT_GENERATED}  a cell the head cannot have reached yet "
                   "(no token at this step)", 10, "#556", "start")
    if title:
        scene.titled(title)
    else:
        scene.fit()
    return scene


def cot_rows(vocab: Sequence[str], labels: Any, n_inputs: int, seq_row: Sequence[int], *, cell_kind: int
             ) -> tuple[list[list[str]], list[str]]:
    """Rows of a CoT for a picture: positions whose label kind is ``cell_kind``
    (:data:`theorymodel.program.labels.CELL`) grouped by step and placed by cell, from the
    tokens themselves; other CoTs as rows of 24 tokens. (This module imports no form: the
    forms import it for their pictures.)"""
    tokens = [vocab[int(t)] for t in seq_row]
    if labels is not None and len(labels) and (labels[:, 0] == cell_kind).any():
        cells = [(int(t), int(i), tokens[n_inputs + k]) for k, (kind, t, i, _, _) in enumerate(labels.tolist())
                 if kind == cell_kind]
        lo = min(i for _, i, _ in cells)
        hi = max(i for _, i, _ in cells)
        grid: dict[int, list[str]] = {}
        for t, i, tok in cells:
            grid.setdefault(t, [""] * (hi - lo + 1))[i - lo] = tok
        steps = sorted(grid)
        rows = [[NOT_GENERATED if c == "" else c for c in grid[t]] for t in steps]
        inputs = [""] * max(-lo, 0) + tokens[:n_inputs]  # the input's cell 0 sits over the tape's cell 0
        return [inputs, *rows], ["input", *(f"t={t}" for t in steps)]
    width = 24
    rows = [tokens[i:i + width] for i in range(0, len(tokens), width)]
    return rows, [f"{i * width}" for i in range(len(rows))]


# -- tables ---------------------------------------------------------------------------------
def html_table(title: str, items: dict[str, Any]) -> str:
    """A small two-column HTML table (for ``_repr_html_``)."""
    body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(_short(v))}</td></tr>" for k, v in items.items())
    return f"<div><b>{html.escape(title)}</b><table>{body}</table></div>"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "..."
