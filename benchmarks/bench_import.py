"""Import speed: a generated FHIR bulk export and a long case table, each against parsing the
same files with json or pandas alone.

Run: python benchmarks/bench_import.py [--patients 1000] [--rows 100000]
Every figure is measured in this run, next to its baseline, and printed with its goal.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_core import best_of
from dashboard.importers import import_sources
from dashboard.importers.build import _read_time, check_time
from dashboard.importers.fhir import read_fhir
from dashboard.importers.fhir.fields import date_of, label_of, short_name
from dashboard.importers.spreadsheet import _kind, read_tables
from dashboard.importers.writer import _quoted
from dashboard.model.times import _placed

GOAL = 2.0
LOINC = [
    ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL", 20, 3000),
    ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0.1, 150),
    ("26464-8", "Leukocytes [#/volume] in Blood", "10*3/uL", 2, 18),
    ("8310-5", "Body temperature", "Cel", 35.8, 40.5),
]
DRUGS = [
    ("312617", "prednisoLONE 5 MG Oral Tablet"),
    ("197388", "azathioprine 50 MG Oral Tablet"),
    ("2003754", "tocilizumab 20 MG/ML Injectable Solution"),
    ("1743704", "methylprednisolone 1000 MG Injection"),
]


def report(name: str, seconds: float, baseline: float) -> None:
    """One line: time, ratio to the baseline, goal."""
    ratio = seconds / baseline
    met = "met" if ratio <= GOAL else "MISSED"
    print(f"{name:<52} {seconds:8.2f} s {ratio:6.2f}x baseline  goal <= {GOAL:g}x  {met}")


def _day(rng: random.Random, start: str = "2015-01-01") -> str:
    import datetime as dt

    date = dt.date.fromisoformat(start) + dt.timedelta(days=rng.randrange(0, 900))
    return f"{date.isoformat()}T{rng.randrange(7, 20):02d}:00:00+00:00"


def write_fhir(folder: Path, patients: int) -> int:
    """A bulk export: one NDJSON file per resource type, ~70 resources per patient."""
    rng = random.Random(11)
    files = {
        name: open(folder / f"{name}.ndjson", "w", encoding="utf-8")  # noqa: SIM115
        for name in ("Patient", "Condition", "Encounter", "MedicationRequest", "Observation")
    }
    count = 0
    try:
        for number in range(patients):
            pid = f"p{number:06d}"
            subject = {"reference": f"Patient/{pid}"}
            resources: list[dict[str, object]] = [
                {
                    "resourceType": "Patient",
                    "id": pid,
                    "name": [{"family": f"Family{number}", "given": ["Given"]}],
                    "gender": rng.choice(["female", "male"]),
                    "birthDate": "1980-01-01",
                    "address": [{"city": "Somewhere"}],
                }
            ]
            resources.append({
                "resourceType": "Condition", "id": f"c{number}", "subject": subject,
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "25044007",
                                     "display": "Neuromyelitis optica (disorder)"}]},
                "onsetDateTime": _day(rng),
            })  # fmt: skip
            for visit in range(6):
                resources.append({
                    "resourceType": "Encounter", "id": f"e{number}-{visit}", "subject": subject,
                    "class": {"code": rng.choice(["AMB", "AMB", "IMP"])},
                    "period": {"start": _day(rng), "end": _day(rng, "2017-07-01")},
                })  # fmt: skip
            for index in range(8):
                code, display = DRUGS[index % len(DRUGS)]
                resources.append({
                    "resourceType": "MedicationRequest", "id": f"m{number}-{index}",
                    "status": rng.choice(["active", "stopped"]), "intent": "order",
                    "subject": subject, "authoredOn": _day(rng),
                    "medicationCodeableConcept": {"coding": [
                        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code,
                         "display": display}]},
                    "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 60}}]}],
                })  # fmt: skip
            for index in range(55):
                code, display, unit, low, high = LOINC[index % len(LOINC)]
                resources.append({
                    "resourceType": "Observation", "id": f"o{number}-{index}", "status": "final",
                    "subject": subject, "effectiveDateTime": _day(rng),
                    "code": {"coding": [{"system": "http://loinc.org", "code": code,
                                         "display": display}], "text": display},
                    "valueQuantity": {"value": round(rng.uniform(low, high), 1), "unit": unit},
                })  # fmt: skip
            for resource in resources:
                files[str(resource["resourceType"])].write(json.dumps(resource) + "\n")
            count += len(resources)
    finally:
        for handle in files.values():
            handle.close()
    return count


def write_table(path: Path, rows: int) -> None:
    """A case table of `rows` rows: 200 cases of drugs, events and values."""
    rng = random.Random(7)
    records = []
    per_case = rows // 200
    for case in range(200):
        name = f"case-{case:03d}"
        records.append({"case": name, "kind": "title", "name": f"Generated case {case}"})
        for index in range(per_case - 1):
            day = f"day {index % 700}"
            pick = index % 10
            if pick == 0:
                records.append({"case": name, "kind": "drug", "name": "prednisolone",
                                "start": day, "end": f"day {index % 700 + 30}",
                                "dose": "30 mg/day"})  # fmt: skip
            elif pick == 1:
                records.append({"case": name, "kind": "relapse", "name": "myelitis",
                                "start": day})  # fmt: skip
            else:
                records.append({"case": name, "kind": "measurement", "name": "Ferritin",
                                "unit": "ng/mL", "start": day,
                                "value": round(rng.uniform(20, 3000), 1)})  # fmt: skip
    frame = pd.DataFrame(records)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, sheet_name="cases")


def write_long_texts(folder: Path, length: int) -> list[Path]:
    """A semicolon CSV whose cell and a FHIR bundle whose names hold `length` spaces: texts
    three patterns once read in time growing with the square of their length."""
    folder.mkdir()
    spaces = " " * length
    (folder / "semi.csv").write_text(
        f"case;kind;name;start;value\nx;measurement;CRP;day 1;{spaces}1,5x\n", encoding="utf-8"
    )
    subject = {"reference": "Patient/1"}
    bundle = {"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "MedicationStatement", "status": "active",
                      "medicationCodeableConcept": {"text": f"tocilizumab{spaces}x"},
                      "subject": subject, "effectiveDateTime": "2015-04-01"}},
        {"resource": {"resourceType": "Condition", "subject": subject,
                      "code": {"text": f"neuromyelitis optica{spaces}x"},
                      "onsetDateTime": "2015-04-01"}},
    ]}  # fmt: skip
    (folder / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    return sorted(folder.iterdir())


def long_texts(root: Path, repeats: int) -> None:
    """Texts ten times longer should take about ten times as long, not a hundred."""
    short = write_long_texts(root / "short-texts", 3_000)
    long = write_long_texts(root / "long-texts", 30_000)
    print("\nlong runs of spaces: 3,000 and 30,000 in a CSV cell and two FHIR names")
    whole(short, root / "warm-out")()  # (the first import of a process loads its modules)
    baseline = best_of(repeats, whole(short, root / "short-out"))
    print(f"{'baseline: 3,000 spaces':<52} {baseline:8.2f} s")
    seconds = best_of(repeats, whole(long, root / "long-out"))
    ratio = seconds / baseline
    met = "met" if ratio <= 20 else "MISSED"
    print(f"{'30,000 spaces':<52} {seconds:8.2f} s {ratio:6.2f}x baseline  goal <= 20x  {met}")


def cold(action: Callable[[], object]) -> Callable[[], object]:
    """`action` as a first import runs it: with the caches of times, dates and names empty."""

    def run() -> object:
        caches = (check_time, _read_time, date_of, label_of, short_name, _kind, _placed, _quoted)
        for cache in caches:
            cache.cache_clear()
        return action()

    return run


def whole(sources: list[Path], root: Path) -> Callable[[], object]:
    """An import into a new folder each time (an import never writes over a file)."""
    folders = (root / f"cases-{number}" for number in itertools.count())
    return cold(lambda: import_sources(sources, next(folders)))


def load() -> str:
    """The machine's load average over 1, 5 and 15 minutes."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def json_baseline(folder: Path) -> Callable[[], object]:
    """Parse every line of the export with json, nothing more."""

    def parse() -> object:
        for path in sorted(folder.glob("*.ndjson")):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    json.loads(line)
        return None

    return parse


def main() -> None:
    """Generate the inputs, time each step against its baseline, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{load()} at the start; best of {args.repeats} runs, caches emptied before each")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        export = root / "fhir"
        export.mkdir()
        resources = write_fhir(export, args.patients)
        print(f"FHIR bulk export: {args.patients} patients, {resources} resources")
        baseline = best_of(args.repeats, json_baseline(export))
        print(f"{'baseline: json.loads of every line':<52} {baseline:8.2f} s")
        paths = sorted(export.glob("*.ndjson"))
        read = best_of(args.repeats, cold(lambda: read_fhir(paths, [])))
        report("read into patients (checked, mapped)", read, baseline)
        seconds = best_of(args.repeats, whole([export], root / "fhir"))
        report(f"whole import: {args.patients} case files written", seconds, baseline)

        for suffix in (".csv", ".xlsx"):
            table = root / f"cases{suffix}"
            write_table(table, args.rows)
            print(f"\ncase table {table.name}: {args.rows} rows, 200 cases")
            if suffix == ".csv":
                pandas = best_of(args.repeats, lambda: pd.read_csv(table, dtype=str))  # noqa: B023
            else:
                pandas = best_of(1, lambda: pd.read_excel(table, dtype=object))  # noqa: B023
            print(f"{'baseline: pandas alone':<52} {pandas:8.2f} s")
            repeats = args.repeats if suffix == ".csv" else 1
            read = best_of(repeats, cold(lambda: read_tables([table], [])))  # noqa: B023
            report("read into cases (checked)", read, pandas)
            seconds = best_of(repeats, whole([table], root / f"table{suffix}"))
            report("whole import: 200 case files written", seconds, pandas)
        long_texts(root, args.repeats)
    print(f"{load()} at the end")


if __name__ == "__main__":
    main()
