"""Offline loaders for the real data sets shipped in ``data/``, and splitting helpers.

Introduced in notebook 01. Every loader reads a CSV file from ``data/`` (or from the folder named
by the environment variable ``MTL_DATA_DIR``), checks it against a stored SHA-256 digest, and
returns tensors. Loaders never write anything. ``data/README.md`` gives each file's source,
citation and licence; ``scripts/make_data.py`` regenerates the files.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from mtl_helpers.tasks import TaskData
from mtl_helpers.validation import (
    check_choice,
    check_finite,
    check_generator,
    check_positive_int,
    check_tensor,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# SHA-256 of each shipped file: a damaged or edited copy is caught before it is parsed.
_DIGESTS = {
    "digits.csv": "592cc047d0a1cc7fdef9fd724514209dcb45a80aa147dc3ab375e3e1a9a380f4",
    "penguins.csv": "42f2cbca76cc5f79bd23552f0668a7759c22da9b72c430324ed88f9ba0329fce",
    "schools.csv": "0d51def0cf12b9d2ea70e0f19a5c8343034dfdbecd128f38ba3acdbb16fb35e9",
}


class DataFileError(RuntimeError):
    """A data file is missing or damaged; the message says which file and how to restore it."""


def data_dir() -> Path:
    """The folder the loaders read: ``$MTL_DATA_DIR`` if set, else the repository's ``data/``."""
    return Path(os.environ.get("MTL_DATA_DIR", DATA_DIR))


def _read_csv(name: str, folder: Path | None) -> list[dict[str, str]]:
    path = (Path(folder) if folder is not None else data_dir()) / name
    restore = (
        f"restore it with `git checkout -- data/{name}` from the repository, or rebuild every "
        "file with `python scripts/make_data.py` (needs the packages listed in data/README.md)"
    )
    if not path.is_file():
        where = ""
        if folder is None and "MTL_DATA_DIR" in os.environ:
            where = " (the folder comes from the environment variable MTL_DATA_DIR)"
        raise DataFileError(f"data file {path} is missing{where}: {restore}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _DIGESTS[name]:
        raise DataFileError(
            f"data file {path} is damaged (SHA-256 {digest[:12]}... but expected "
            f"{_DIGESTS[name][:12]}...): {restore}"
        )
    return list(csv.DictReader(raw.decode("utf-8").splitlines()))


def _float_column(rows: list[dict[str, str]], column: str) -> torch.Tensor:
    return torch.tensor([float(row[column]) for row in rows], dtype=torch.float32)


def _code_column(rows: list[dict[str, str]], column: str, levels: tuple[str, ...]) -> torch.Tensor:
    return torch.tensor([levels.index(row[column]) for row in rows], dtype=torch.int64)


@dataclass(frozen=True)
class Digits:
    """UCI handwritten digits, 8×8 grey levels.

    images: (1797, 8, 8) float32 in [0, 1]; labels: (1797,) int64 in 0..9.
    """

    images: torch.Tensor
    labels: torch.Tensor

    @property
    def x(self) -> torch.Tensor:
        """The images flattened row by row: (1797, 64)."""
        return self.images.reshape(len(self.images), -1)


def load_digits(folder: Path | None = None) -> Digits:
    """Load ``digits.csv``: 1,797 images of handwritten digits at 8×8 pixels, 16 grey levels."""
    rows = _read_csv("digits.csv", folder)
    pixels = [[int(row[f"pixel_{r}_{c}"]) for r in range(8) for c in range(8)] for row in rows]
    images = torch.tensor(pixels, dtype=torch.float32).reshape(-1, 8, 8) / 16.0
    labels = torch.tensor([int(row["digit"]) for row in rows], dtype=torch.int64)
    return Digits(images=images, labels=labels)


PENGUIN_MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
SPECIES = ("Adelie", "Chinstrap", "Gentoo")
ISLANDS = ("Biscoe", "Dream", "Torgersen")
SEXES = ("female", "male")


@dataclass(frozen=True)
class Penguins:
    """Palmer penguins with complete records (333 of 344 birds).

    measurements: (333, 4) float32 in their own units, columns ``PENGUIN_MEASUREMENTS``
    (bill length mm, bill depth mm, flipper length mm, body mass g);
    species: (333,) int64 indexing ``SPECIES``; island: (333,) int64 indexing ``ISLANDS``;
    sex: (333,) int64 indexing ``SEXES`` (0 female, 1 male); year: (333,) int64.
    """

    measurements: torch.Tensor
    species: torch.Tensor
    island: torch.Tensor
    sex: torch.Tensor
    year: torch.Tensor

    def column(self, name: str) -> torch.Tensor:
        """One measurement by name, e.g. ``"body_mass_g"``: (333,) float32."""
        check_choice("measurement", name, PENGUIN_MEASUREMENTS)
        return self.measurements[:, PENGUIN_MEASUREMENTS.index(name)]


def load_penguins(folder: Path | None = None) -> Penguins:
    """Load ``penguins.csv``: several targets of different kinds and scales on the same birds."""
    rows = _read_csv("penguins.csv", folder)
    measurements = torch.stack([_float_column(rows, c) for c in PENGUIN_MEASUREMENTS], dim=1)
    return Penguins(
        measurements=measurements,
        species=_code_column(rows, "species", SPECIES),
        island=_code_column(rows, "island", ISLANDS),
        sex=_code_column(rows, "sex", SEXES),
        year=torch.tensor([int(row["year"]) for row in rows], dtype=torch.int64),
    )


SCHOOL_FEATURES = ("standLRT", "female")
SCHOOL_GENDERS = ("mixed", "boys", "girls")


@dataclass(frozen=True)
class Schools:
    """London exam scores (Goldstein et al., 1993): 4,059 students in 65 schools, one task each.

    x: (4059, 2) float32, columns ``SCHOOL_FEATURES``: the standardised London Reading Test score
    at intake and 1 for a girl; y: (4059,) float32, the normalised GCSE exam score at 16;
    school: (4059,) int64 in 0..64, the task index of each student (school numbers 1..65 in the
    source, minus one); sizes: (65,) int64, students per school (2 to 198).
    School-level facts, one entry per school: school_gender (65,) int64 indexing
    ``SCHOOL_GENDERS``; school_intake (65,) float32, the school's mean intake score (``schavg``).
    """

    x: torch.Tensor
    y: torch.Tensor
    school: torch.Tensor
    school_gender: torch.Tensor
    school_intake: torch.Tensor

    @property
    def n_tasks(self) -> int:
        return int(self.school.max()) + 1

    @property
    def sizes(self) -> torch.Tensor:
        return torch.bincount(self.school, minlength=self.n_tasks)

    def task(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The students of one school: ``(x_i, y_i)`` with shapes (n_i, 2) and (n_i,)."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int school index, got {type(index).__name__}")
        if not 0 <= index < self.n_tasks:
            raise ValueError(f"index must be a school in 0..{self.n_tasks - 1}, got {index}")
        mask = self.school == index
        return self.x[mask], self.y[mask]

    def task_data(
        self, rows: torch.Tensor, school_ids: torch.Tensor | None = None
    ) -> list[TaskData]:
        """One regression :class:`TaskData` per school, from the students whose indices are
        ``rows``: (n,) int64 row indices, e.g. one side of :func:`split_by_task`.

        school_ids: (k,) distinct school indices in 0..64 to keep, in that order (default all
        65). Task ``j`` is named ``"school <id>"`` and holds x (n_j, 2) and y (n_j,); every kept
        school must have at least one student among ``rows``.
        """
        check_tensor("rows", rows, ndim=1, dtype_kind="int")
        n_rows = len(self.school)
        if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= n_rows):
            raise ValueError(
                f"rows must be student indices in 0..{n_rows - 1}, got values from "
                f"{int(rows.min())} to {int(rows.max())}"
            )
        if school_ids is None:
            school_ids = torch.arange(self.n_tasks)
        check_tensor("school_ids", school_ids, ndim=1, dtype_kind="int")
        ids = school_ids.tolist()
        outside = [school for school in ids if not 0 <= school < self.n_tasks]
        if outside:
            raise ValueError(
                f"school_ids must be school indices in 0..{self.n_tasks - 1}, got {outside[0]}"
            )
        repeated = sorted({school for school in ids if ids.count(school) > 1})
        if repeated:
            raise ValueError(
                f"school_ids must be distinct (each school is one task), got {repeated[0]} "
                f"{ids.count(repeated[0])} times"
            )
        tasks = []
        for school in ids:
            mine = rows[self.school[rows] == school]
            if len(mine) == 0:
                raise ValueError(
                    f"rows hold no student of school {school}, so task 'school {school}' would "
                    "be empty; leave it out of school_ids or split with split_by_task"
                )
            tasks.append(TaskData(f"school {school}", self.x[mine], self.y[mine], "mse"))
        return tasks


def load_schools(folder: Path | None = None) -> Schools:
    """Load ``schools.csv`` (the ``Exam`` data of the R package mlmRev)."""
    rows = _read_csv("schools.csv", folder)
    x = torch.stack(
        [
            _float_column(rows, "standLRT"),
            torch.tensor([row["sex"] == "F" for row in rows], dtype=torch.float32),
        ],
        dim=1,
    )
    school = torch.tensor([int(row["school"]) - 1 for row in rows], dtype=torch.int64)
    first_rows = {}
    for row in rows:
        first_rows.setdefault(int(row["school"]) - 1, row)
    ordered = [first_rows[i] for i in range(len(first_rows))]
    return Schools(
        x=x,
        y=_float_column(rows, "normexam"),
        school=school,
        school_gender=_code_column(ordered, "schgend", SCHOOL_GENDERS),
        school_intake=_float_column(ordered, "schavg"),
    )


def _check_test_fraction(test_fraction: object) -> float:
    """Return ``test_fraction`` if it is a number strictly between 0 and 1, else raise."""
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)):
        raise TypeError(
            f"test_fraction must be a number strictly between 0 and 1, got "
            f"{type(test_fraction).__name__} {test_fraction!r}"
        )
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    return test_fraction


def split_indices(
    n: int, test_fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Shuffle ``range(n)`` with ``generator`` and cut it: ``(train_idx, test_idx)``.

    The test part has ``round(n * test_fraction)`` indices, at least one when ``n ≥ 2``, and the
    training part keeps at least one.
    """
    check_positive_int("n", n)
    _check_test_fraction(test_fraction)
    check_generator("generator", generator)
    order = torch.randperm(n, generator=generator)
    n_test = min(n - 1, max(1, round(n * test_fraction))) if n >= 2 else 0
    return order[n_test:], order[:n_test]


def split_by_task(
    task_ids: torch.Tensor, test_fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Split row indices so that every task keeps the same test fraction (stratified by task).

    task_ids: (N,) int64. Returns ``(train_idx, test_idx)``, each sorted. Tasks with a single
    row put it in the training part.
    """
    check_tensor("task_ids", task_ids, ndim=1, dtype_kind="int")
    _check_test_fraction(test_fraction)
    check_generator("generator", generator)
    if len(task_ids) == 0:
        raise ValueError(f"task_ids must hold at least one row, got shape {tuple(task_ids.shape)}")
    if int(task_ids.min()) < 0:
        raise ValueError(f"task_ids must be task indices ≥ 0, got {int(task_ids.min())}")
    train, test = [], []
    for task in torch.unique(task_ids).tolist():
        rows = torch.nonzero(task_ids == task).flatten()
        train_part, test_part = split_indices(len(rows), test_fraction, generator)
        train.append(rows[train_part])
        test.append(rows[test_part])
    return torch.cat(train).sort().values, torch.cat(test).sort().values


def standardize(
    train: torch.Tensor, *others: torch.Tensor
) -> tuple[list[torch.Tensor], torch.Tensor, torch.Tensor]:
    """Centre and scale columns with the *training* mean and standard deviation.

    train: (N, D) or (N,); others: tensors of the same trailing shape. Returns
    ``([train_std, *others_std], mean, std)``; a constant column keeps std 1 to avoid dividing by 0.
    Every tensor must be finite: one NaN would make a whole column of the statistics NaN.
    """
    check_tensor("train", train, dtype_kind="float")
    check_finite("train", train)
    if len(train) < 2:
        raise ValueError(
            "train must have at least 2 rows to estimate a standard deviation, got shape "
            f"{tuple(train.shape)}"
        )
    mean = train.mean(dim=0)
    std = train.std(dim=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    scaled = []
    for position, tensor in enumerate((train, *others)):
        check_tensor(f"tensor {position}", tensor, dtype_kind="float")
        if tensor.shape[1:] != train.shape[1:]:
            raise ValueError(
                f"tensor {position} must have trailing shape {tuple(train.shape[1:])} like "
                f"train, got {tuple(tensor.shape)}"
            )
        check_finite(f"tensor {position}", tensor)
        scaled.append((tensor - mean) / std)
    return scaled, mean, std
