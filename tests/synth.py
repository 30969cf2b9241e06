"""Synthetic case files for the tests and the benchmarks: plausible shape, invented content.

`generate_case(seed)` returns a YAML-ready dict that validates as a `Case`; the same seed
always gives the same case. `write_series` writes small cases and a series aligning them.
Run as a module to write a folder of cases:

    python -m tests.synth /tmp/cases --count 50 --size large
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from dashboard.model import EVENT_KINDS

SIZES = ("typical", "large")
SPAN_DAYS = 720
SERIES_VALUES = 60
LARGE_SERIES_VALUES = 20_000
EVENT_COUNT = 40
# Onset and relapses are placed on purpose; a generated course has no death in it.
OTHER_KINDS = tuple(kind for kind in EVENT_KINDS if kind not in ("onset", "relapse", "death"))
RELAPSE_LABELS = ("optic neuritis", "myelitis", "brainstem syndrome", "area postrema syndrome")
IMAGING_DETAILS = (
    "New T2-hyperintense lesion, C2 to C6.",
    "No new lesions; previous lesion smaller.",
    "Swelling of the left optic nerve with gadolinium enhancement.",
)

Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _day(rng: random.Random, low: float, high: float, *, approx: float = 0.2) -> str:
    """A relative time such as 'day 14' or '~day 20'; sometimes approximate."""
    day = rng.randint(int(low), int(high))
    return f"{'~' if rng.random() < approx else ''}day {day}"


def _date(day0: dt.date, day: int, *, approx: bool = False) -> str:
    """A calendar date `day` days after day 0, as '2015-04-18'."""
    return f"{'~' if approx else ''}{(day0 + dt.timedelta(days=day)).isoformat()}"


def _treatments(rng: random.Random, day0: dt.date) -> list[dict[str, Any]]:
    """Twelve treatments covering every timing form, some sharing a lane or a class."""
    relapse_days = sorted(rng.sample(range(0, SPAN_DAYS - 60), 4))
    taper_start = rng.randint(1, 5)
    return [
        {
            "drug": "methylprednisolone pulse",
            "abbr": "mPSL",
            "class": "corticosteroid",
            "lane": "Corticosteroids",
            "dose": "1000 mg/day for 3 days",
            "given": [f"day {day + 1}" for day in relapse_days],
        },
        {
            "drug": "prednisolone",
            "abbr": "PSL",
            "class": "corticosteroid",
            "lane": "Corticosteroids",
            "unit": "mg/day",
            "doses": [
                {"at": f"day {taper_start + offset}", "dose": dose}
                for offset, dose in ((0, 60), (14, 50), (28, 40), (56, 30), (90, 20), (150, 10))
            ],
            "end": f"day {taper_start + rng.randint(250, 400)}",
        },
        {
            "drug": "azathioprine",
            "abbr": "AZT",
            "class": "immunosuppressant",
            "dose": "100 mg/day",
            "start": _date(day0, rng.randint(20, 60)),
            "end": _date(day0, rng.randint(200, 300), approx=True),
        },
        {
            "drug": "tacrolimus",
            "abbr": "Tac",
            "class": "immunosuppressant",
            "dose": "3 mg/day",
            "start": _day(rng, 300, 360),
            "end": _day(rng, 420, 500),
        },
        {
            "drug": "tocilizumab",
            "abbr": "TCZ",
            "class": "IL-6 receptor antibody",
            "dose": "8 mg/kg",
            "start": f"day {rng.randint(450, 500)}",
            "ongoing": True,
            "every": "4 weeks",
        },
        {
            "drug": "satralizumab",
            "class": "IL-6 receptor antibody",
            "start": f"~week {rng.randint(80, 90)}",
            "ongoing": True,
        },
        {
            "drug": "rituximab",
            "abbr": "RTX",
            "class": "CD20 antibody",
            "dose": "1000 mg",
            "given": [f"day {rng.randint(200, 210)}", f"day {rng.randint(214, 224)}"],
        },
        {
            "drug": "natalizumab",
            "abbr": "NTZ",
            "dose": "300 mg",
            "start": "month -6",
            "end": "day -10",
            "every": "1 month",
        },
        {
            "drug": "plasma exchange",
            "abbr": "PLEX",
            "kind": "procedure",
            "lane": "Apheresis",
            "start": f"day {relapse_days[1] + 2}",
            "end": f"day {relapse_days[1] + 12}",
        },
        {
            "drug": "immunoadsorption plasmapheresis",
            "abbr": "IAPP",
            "kind": "procedure",
            "lane": "Apheresis",
            "start": f"day {relapse_days[2] + 3}",
            "end": f"day {relapse_days[2] + 15}",
        },
        {
            "drug": "intravenous immunoglobulin",
            "abbr": "IVIg",
            "dose": "0.4 g/kg/day for 5 days",
            "given": [_day(rng, 100, 150)],
        },
        {
            "drug": "trimethoprim-sulfamethoxazole",
            "abbr": "ST",
            "class": "prophylaxis",
            "start": f"day {taper_start}",
            "end": f"year {rng.choice((1, 1.5))}",
        },
    ]


def _events(rng: random.Random, day0: dt.date) -> list[dict[str, Any]]:
    """Forty events of several kinds, with relapses, sorted in time."""
    events: list[dict[str, Any]] = [
        {"at": "day 0", "kind": "onset", "label": "disease onset"},
        {"at": _date(day0, rng.randint(3, 20)), "kind": "diagnosis", "label": "diagnosis"},
    ]
    for _ in range(6):
        events.append(
            {
                "at": _day(rng, 30, SPAN_DAYS - 30),
                "kind": "relapse",
                "label": rng.choice(RELAPSE_LABELS),
            }
        )
    while len(events) < EVENT_COUNT:
        kind = rng.choice(OTHER_KINDS)
        event: dict[str, Any] = {"at": _day(rng, -30, SPAN_DAYS), "kind": kind}
        if kind == "imaging":
            event |= {"label": "spinal MRI", "detail": rng.choice(IMAGING_DETAILS)}
        elif kind in ("admission", "procedure"):
            start = rng.randint(0, SPAN_DAYS - 30)
            event |= {"at": f"day {start}", "end": f"day {start + rng.randint(2, 20)}"}
        else:
            event["label"] = f"{kind.replace('-', ' ')} {len(events)}"
        events.append(event)
    return events


def _series(
    rng: random.Random, count: int, start: float, level: float, spread: float
) -> dict[str, float | str]:
    """`count` values over the span as a time -> value mapping, a few of them approximate."""
    step = (SPAN_DAYS - start) / count
    values: dict[str, float | str] = {}
    for index in range(count):
        day = round(start + index * step, 1)
        value = round(max(level + rng.gauss(0, spread), spread / 10), 1)
        approximate = rng.random() < 0.05
        values[f"{'~' if approximate else ''}day {day:g}"] = f"~{value}" if approximate else value
    return values


def _measurements(rng: random.Random, size: str) -> list[dict[str, Any]]:
    """Four series (log, step, two sharing a panel), plus a long one for 'large'."""
    edss = [(0, rng.choice((2.5, 3, 3.5, 4, 6.5)))]
    for index in range(1, SERIES_VALUES):
        edss.append((round(index * SPAN_DAYS / SERIES_VALUES), edss[-1][1]))
        if rng.random() < 0.15:
            edss[-1] = (edss[-1][0], rng.choice((2, 2.5, 3, 3.5, 4, 4.5, 6, 6.5, 7)))
    measurements: list[dict[str, Any]] = [
        {
            "name": "Ferritin",
            "unit": "ng/mL",
            "scale": "log",
            "normal": [None, 300],
            "values": _series(rng, SERIES_VALUES, 0, 3000, 2500),
        },
        {
            "name": "EDSS",
            "style": "step",
            "range": [0, 10],
            "values": [[f"day {day}", score] for day, score in edss],
        },
        {
            "name": "CRP",
            "unit": "mg/dL",
            "panel": "Inflammation",
            "normal": [None, 0.3],
            "values": _series(rng, SERIES_VALUES, 1, 3, 2),
        },
        {
            "name": "WBC",
            "unit": "×10³/µL",
            "panel": "Inflammation",
            "normal": [3.5, 9],
            "values": _series(rng, SERIES_VALUES, 2, 7, 2),
        },
    ]
    if size == "large":
        step = SPAN_DAYS / LARGE_SERIES_VALUES
        measurements.append(
            {
                "name": "Heart rate",
                "unit": "/min",
                "style": "markers",
                "values": [
                    [round(index * step, 3), round(75 + rng.gauss(0, 8), 1)]
                    for index in range(LARGE_SERIES_VALUES)
                ],
            }
        )
    return measurements


def generate_case(seed: int, *, size: str = "typical") -> dict[str, Any]:
    """A synthetic case as a YAML-ready dict, the same for the same seed and size."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    rng = random.Random(seed)
    day0 = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 3650))
    return {
        "title": f"Synthetic case {seed}",
        "summary": "Invented data for benchmarks; not a patient.",
        "source": {"note": f"Generated by tests/synth.py, seed {seed}, size {size}."},
        "patient": {"age": rng.randint(18, 80), "sex": rng.choice(("female", "male"))},
        "diagnoses": ["neuromyelitis optica spectrum disorder", "macrophage activation syndrome"],
        "day0": {"label": "disease onset", "date": day0.isoformat()},
        "treatments": _treatments(rng, day0),
        "events": sorted(_events(rng, day0), key=lambda event: _sort_day(event["at"], day0)),
        "measurements": _measurements(rng, size),
        "periods": [
            {"from": "day 0", "to": f"day {rng.randint(14, 40)}", "label": "MAS episode"},
            {"from": "~day 400", "to": "~day 480", "label": "admission"},
        ],
        "teaching": {
            "steps": [
                {"at": "day 0", "title": "Presentation", "question": "What is the diagnosis?"},
                {"at": "day 60", "title": "First relapse", "question": "What next?"},
                {"at": "day 450", "title": "IL-6 receptor blockade", "note": "Why now?"},
                {"at": f"day {SPAN_DAYS}", "title": "Outcome"},
            ]
        },
    }


def _sort_day(written: str, day0: dt.date) -> float:
    """Day offset of a time this module writes (relative or calendar), for sorting."""
    text = written.lstrip("~")
    if text.startswith("day "):
        return float(text[4:])
    return float((dt.date.fromisoformat(text) - day0).days)


def write_cases(folder: Path, count: int, *, size: str = "typical", seed: int = 0) -> list[Path]:
    """Write `count` synthetic case files into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        case = generate_case(seed + index, size=size)
        path = folder / f"synthetic-{size}-{seed + index:04d}.yaml"
        with path.open("w", encoding="utf-8") as file:
            yaml.dump(case, file, Dumper=Dumper, sort_keys=False, allow_unicode=True)
        paths.append(path)
    return paths


def write_series(folder: Path, count: int) -> Path:
    """`count` small cases, each with bars, doses, an ongoing drug and attacks at days that
    differ from case to case, and a series aligning them on their IL-6 receptor antibody."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"case-{n:03d}.yaml").write_text(
            f"title: Case {n}\ndiagnoses: [NMOSD]\nday0: {{label: onset}}\n"
            f"follow_up: day {500 + n}\ntreatments:\n"
            f"  - {{drug: azathioprine, class: immunosuppressant, dose: 100 mg/day,"
            f" start: day {n % 9}, end: day {100 + n}}}\n"
            f"  - {{drug: tocilizumab, class: IL-6 receptor antibody, dose: 8 mg/kg,"
            f" start: day {200 + n}, ongoing: true}}\n"
            f"  - {{drug: methylprednisolone, class: corticosteroid, dose: 1000 mg,"
            f" given: [day 10, day {150 + n}]}}\n"
            f"events:\n  - {{at: day {50 + n % 7}, kind: relapse, label: optic neuritis}}\n"
            f"  - {{at: day {300 + n}, kind: relapse, label: myelitis}}\n",
            encoding="utf-8",
        )
    path = folder / "all.series.yaml"
    path.write_text(
        "title: All cases\nalign: {by: treatment, match: {drug: tocilizumab}}\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    """Command line: write synthetic cases into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--size", choices=SIZES, default="typical")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for path in write_cases(args.folder, args.count, size=args.size, seed=args.seed):
        print(path)


if __name__ == "__main__":
    main()
