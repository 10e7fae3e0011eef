"""GetMetricWidgetImage: a widget definition (the JSON of a dashboard's metric widget) drawn as a PNG.

The definition's `metrics` rows ([namespace, name, dimension, value, ..., {options}], "." repeating the
row above) become GetMetricData queries over `start`..`end` (ISO durations such as -PT3H, or times); the
answer is drawn as AWS draws a time series: title, a legend of every series, horizontal grid lines with
values, times along the bottom, one coloured line per series (`stat`, `period`, `label`, `color` per row or
for the widget). A `view` of "singleValue" draws each series' latest value in large type instead.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from millpond.errors import AwsError

# CloudWatch's default series palette.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
DURATION = re.compile(r"^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
MAX_SIZE = 2000

GetMetricData = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterInput", message)


def _when(value: Any, now: float) -> float:
    """A widget time: an ISO 8601 duration relative to now (-PT3H), or an ISO 8601 time."""
    text = str(value)
    found = DURATION.match(text)
    if found and any(found.groups()[1:]):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in found.groups()[1:])
        span = weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds
        return now - span if found.group(1) else now + span
    if found:  # P0D
        return now
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise _invalid(f"The time {text} in the widget definition is not valid.") from None


def queries(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The widget's metrics rows as GetMetricData queries, with the label each series is drawn with."""
    rows = definition.get("metrics")
    if not isinstance(rows, list) or not rows:
        raise _invalid("The widget definition must have a non-empty metrics array.")
    stat, period = definition.get("stat", "Average"), int(definition.get("period", 300))
    found: list[dict[str, Any]] = []
    previous: list[Any] = []
    for index, row in enumerate(rows):
        if not isinstance(row, list):
            raise _invalid("Each metrics entry must be an array.")
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        fields = [previous[i] if value == "." and i < len(previous) else value for i, value in enumerate(row)]
        fields = fields[:-1] if options else fields
        query_id = options.get("id") or f"m{index}"
        if "expression" in options:
            found.append(
                {"Id": query_id, "Expression": options["expression"], "Label": options.get("label", query_id)}
            )
            continue
        if len(fields) < 2 or len(fields) % 2:
            raise _invalid(f"Metrics entry {index} must be [namespace, name, dimension, value, ...].")
        previous = fields
        dimensions = [{"Name": str(fields[i]), "Value": str(fields[i + 1])} for i in range(2, len(fields), 2)]
        metric = {"Namespace": fields[0], "MetricName": fields[1], "Dimensions": dimensions}
        found.append(
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": metric,
                    "Period": int(options.get("period", period)),
                    "Stat": options.get("stat", stat),
                },
                "Label": options.get("label", fields[1]),
                "ReturnData": options.get("visible", True),
                "Color": options.get("color"),
            }
        )
    return found


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _value_text(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:.3g}k" if abs(value) < 1e6 else f"{value / 1e6:.3g}M"
    return f"{value:.3g}"


async def render(definition_text: str, get_metric_data: GetMetricData, now: float) -> bytes:
    try:
        definition = json.loads(definition_text)
    except ValueError:
        raise _invalid("The MetricWidget parameter is not valid JSON.") from None
    if not isinstance(definition, dict):
        raise _invalid("The MetricWidget parameter must be a JSON object.")
    width = int(definition.get("width", 600))
    height = int(definition.get("height", 395))
    if not (1 <= width <= MAX_SIZE and 1 <= height <= MAX_SIZE):
        raise _invalid(f"width and height must be between 1 and {MAX_SIZE}.")
    start, end = _when(definition.get("start", "-PT3H"), now), _when(definition.get("end", "P0D"), now)
    if end <= start:
        raise _invalid("The widget's end must be after its start.")
    wanted = queries(definition)
    answer = await get_metric_data(
        {
            "MetricDataQueries": [
                {k: v for k, v in q.items() if k != "Color" and v is not None} for q in wanted
            ],
            "StartTime": start,
            "EndTime": end,
        }
    )
    colours = {q["Id"]: q.get("Color") for q in wanted}
    series = [
        (
            result.get("Label") or result["Id"],
            colours.get(result["Id"]) or PALETTE[i % len(PALETTE)],
            sorted(zip(result["Timestamps"], result["Values"], strict=True)),
        )
        for i, result in enumerate(answer.get("MetricDataResults", []))
    ]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title = str(definition.get("title", ""))
    top = 8
    if title:
        draw.text((10, top), title, fill="#16191f", font=_font(14))
        top += 22
    if definition.get("view") == "singleValue":
        _single_values(draw, series, width, top)
    else:
        _time_series(draw, series, width, height, top, start, end)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _single_values(draw: ImageDraw.ImageDraw, series: list[Any], width: int, top: int) -> None:
    columns = max(1, min(4, len(series)))
    cell = width // columns
    for index, (label, colour, points) in enumerate(series):
        x, y = (index % columns) * cell + 10, top + (index // columns) * 70
        draw.text((x, y), str(label), fill="#545b64", font=_font(12))
        value = _value_text(float(points[-1][1])) if points else "--"
        draw.text((x, y + 18), value, fill=colour, font=_font(32))


def _time_series(
    draw: ImageDraw.ImageDraw, series: list[Any], width: int, height: int, top: int, start: float, end: float
) -> None:
    small = _font(11)
    legend_rows = (len(series) + 2) // 3
    left, right, bottom = 50, width - 12, height - 24 - 16 * legend_rows
    if bottom - top < 20:
        raise _invalid("The widget is too small to draw.")
    values = [float(v) for _, _, points in series for _, v in points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    low = min(low, 0.0)
    if high <= low:
        high = low + 1
    for step in range(5):  # grid lines with their values
        fraction = step / 4
        y = bottom - fraction * (bottom - top)
        draw.line([(left, y), (right, y)], fill="#e9ebed")
        draw.text((4, y - 6), _value_text(low + fraction * (high - low)), fill="#545b64", font=small)
    for step in range(5):  # times along the bottom
        moment = start + step / 4 * (end - start)
        x = left + step / 4 * (right - left)
        label = datetime.fromtimestamp(moment, UTC).strftime("%H:%M")
        draw.text((x - 14, bottom + 4), label, fill="#545b64", font=small)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill="#879596")
    for _, colour, points in series:
        line = [
            (
                left + (float(t) - start) / (end - start) * (right - left),
                bottom - (float(v) - low) / (high - low) * (bottom - top),
            )
            for t, v in points
        ]
        if len(line) == 1:
            x, y = line[0]
            draw.ellipse([(x - 2, y - 2), (x + 2, y + 2)], fill=colour)
        elif line:
            draw.line(line, fill=colour, width=2)
    column = (width - 20) // 3
    for index, (label, colour, _) in enumerate(series):  # the legend: every series
        x, y = 10 + (index % 3) * column, bottom + 22 + (index // 3) * 16
        draw.rectangle([(x, y + 3), (x + 10, y + 11)], fill=colour)
        draw.text((x + 14, y), str(label)[:40], fill="#16191f", font=small)
