"""Series of generated cases, as many as a test needs."""

from __future__ import annotations

from pathlib import Path


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
