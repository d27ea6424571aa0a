#!/usr/bin/env python3
"""Fail when a chart drawn by plot.gnuplot has axes but no data.

gnuplot's SVG terminal puts each plotted series in a <g id="gnuplot_plot_N"> group. A key entry
alone draws at most two shapes: its sample line and point, or its sample box and outline. A
series with data draws more. A chart where no series has more than that fails: every point was
filtered away, or the axis range leaves them all out.

Usage: check_charts.py DIR [DIR ...]   (every *.svg in each DIR is checked)
"""

import pathlib
import sys
import xml.etree.ElementTree as ElementTree

SHAPES = {"path", "polygon", "polyline", "use", "rect", "circle"}
KEY_SHAPES = 2


def series_shapes(path: pathlib.Path) -> list[int]:
    """How many shapes each plotted series of one SVG chart draws."""
    counts = []
    for group in ElementTree.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g"):
        if (group.get("id") or "").startswith("gnuplot_plot_"):
            counts.append(sum(1 for e in group.iter() if e.tag.rsplit("}", 1)[-1] in SHAPES))
    return counts


def main(folders: list[str]) -> int:
    charts = [chart for folder in folders for chart in sorted(pathlib.Path(folder).glob("*.svg"))]
    if not charts:
        print(f"no charts found in {', '.join(folders)}")
        return 1
    empty = [chart for chart in charts if max(series_shapes(chart), default=0) <= KEY_SHAPES]
    for chart in empty:
        print(f"chart with axes but no data: {chart}")
    print(f"charts with data: {len(charts) - len(empty)} of {len(charts)}")
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
