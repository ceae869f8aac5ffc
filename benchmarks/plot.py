"""Line plots drawn with Pillow for the benchmarks' PNGs (no matplotlib needed): side-by-side
panels, each with its own axes and one line per series, and one legend under them."""

import math

#: Series colours (matplotlib's first six).
COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (140, 86, 75)]


def font(size):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def draw_panels(path, title, subtitle, panels, legend, panel_width=540):
    """Writes a PNG of `panels` side by side.

    Args:
        path: the PNG to write.
        title, subtitle: the lines above the panels.
        panels: dicts with `title`, `xlabel`, `x` and `y` (each `(low, high)`), optional `log_y`
            (y ticks and values in log10) and `series`: `{legend label: [(x, y), ...]}`.
        legend: the series labels in colour order (a label's colour is the same in every panel).
    """
    from PIL import Image, ImageDraw

    small, normal, big = font(13), font(15), font(18)
    width, height = 20 + panel_width * len(panels), 500
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 12), title, fill="black", font=big)
    draw.text((20, 38), subtitle, fill="gray", font=small)
    for index, panel in enumerate(panels):
        left, top = 20 + index * panel_width, 70
        draw.text((left + 10, top), panel["title"], fill="black", font=normal)
        box = (left + 70, top + 30, left + panel_width - 30, top + 330)
        draw.rectangle(box, outline="black")
        (xlow, xhigh), (ylow, yhigh), logarithmic = panel["x"], panel["y"], panel.get("log_y", False)
        if logarithmic:
            ylow, yhigh = math.log10(ylow), math.log10(yhigh)

        def to_px(x, y):
            if logarithmic:
                y = math.log10(max(y, 1e-9))
            return (box[0] + (x - xlow) / (xhigh - xlow) * (box[2] - box[0]),
                    box[3] - (y - ylow) / (yhigh - ylow) * (box[3] - box[1]))

        for i in range(6):
            y = ylow + (yhigh - ylow) * i / 5
            py = box[3] - i / 5 * (box[3] - box[1])
            label = f"{10 ** y:.3g}" if logarithmic else f"{y:.3g}"
            draw.line((box[0] - 4, py, box[0], py), fill="black")
            draw.text((box[0] - 8 - draw.textlength(label, font=small), py - 7), label, fill="black", font=small)
            x = xlow + (xhigh - xlow) * i / 5
            px = box[0] + i / 5 * (box[2] - box[0])
            label = f"{x:.0f}" if x == int(x) and abs(x) < 1e6 else f"{x:.3g}"  # 1000, not 1e+03
            draw.line((px, box[3], px, box[3] + 4), fill="black")
            draw.text((px - draw.textlength(label, font=small) / 2, box[3] + 6), label, fill="black", font=small)
        draw.text(((box[0] + box[2]) / 2 - draw.textlength(panel["xlabel"], font=small) / 2, box[3] + 24),
                  panel["xlabel"], fill="black", font=small)
        for label, points in panel["series"].items():
            color = COLORS[legend.index(label) % len(COLORS)]
            pixels = [to_px(x, y) for x, y in points]
            if len(pixels) > 1:
                draw.line(pixels, fill=color, width=2)
            for px, py in pixels:
                draw.ellipse((px - 3, py - 3, px + 3, py + 3), fill=color)
    for i, label in enumerate(legend):
        x = 100 + (i % 3) * 330
        y = height - 40 + (i // 3) * 16 - 8 * (len(legend) > 3)
        draw.line((x, y + 7, x + 30, y + 7), fill=COLORS[i % len(COLORS)], width=3)
        draw.text((x + 38, y), label, fill="black", font=small)
    image.save(path)
