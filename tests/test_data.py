"""Tests for mtl_helpers.data: the shipped files' contents, file checks, splits and scaling."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mtl_helpers import data
from mtl_helpers.data import (
    ISLANDS,
    PENGUIN_MEASUREMENTS,
    SCHOOL_FEATURES,
    SCHOOL_GENDERS,
    SEXES,
    SPECIES,
    DataFileError,
    Digits,
    Penguins,
    Schools,
    data_dir,
    load_digits,
    load_penguins,
    load_schools,
    split_by_task,
    split_indices,
    standardize,
)

LOADERS: dict[str, Callable[..., object]] = {
    "digits.csv": load_digits,
    "penguins.csv": load_penguins,
    "schools.csv": load_schools,
}


@pytest.fixture(scope="module")
def digits() -> Digits:
    return load_digits()


@pytest.fixture(scope="module")
def penguins() -> Penguins:
    return load_penguins()


@pytest.fixture(scope="module")
def schools() -> Schools:
    return load_schools()


# ---------------------------------------------------------------- loaders: contents


def test_digits_shapes_dtypes_and_ranges(digits: Digits) -> None:
    assert digits.images.shape == (1797, 8, 8)
    assert digits.images.dtype == torch.float32
    assert digits.labels.shape == (1797,)
    assert digits.labels.dtype == torch.int64
    assert float(digits.images.min()) == 0.0
    assert float(digits.images.max()) == 1.0
    assert torch.isfinite(digits.images).all()
    # Pixels are 16ths: 0/16 .. 16/16, so 16 * pixel is a whole number.
    assert torch.equal(digits.images * 16, (digits.images * 16).round())
    assert torch.equal(torch.unique(digits.labels), torch.arange(10))
    counts = torch.bincount(digits.labels, minlength=10)
    assert int(counts.sum()) == 1797
    assert int(counts.min()) > 150  # every class is well represented


def test_digits_x_flattens_row_by_row(digits: Digits) -> None:
    assert digits.x.shape == (1797, 64)
    assert torch.equal(digits.x[5, 8:16], digits.images[5, 1])
    assert digits.x.dtype == torch.float32


def test_penguins_shapes_codes_and_counts(penguins: Penguins) -> None:
    assert penguins.measurements.shape == (333, len(PENGUIN_MEASUREMENTS))
    assert penguins.measurements.dtype == torch.float32
    assert torch.isfinite(penguins.measurements).all()
    assert (penguins.measurements > 0).all()
    for codes, levels in (
        (penguins.species, SPECIES),
        (penguins.island, ISLANDS),
        (penguins.sex, SEXES),
    ):
        assert codes.shape == (333,)
        assert codes.dtype == torch.int64
        assert int(codes.min()) >= 0
        assert int(codes.max()) == len(levels) - 1
    assert torch.bincount(penguins.species).tolist() == [146, 68, 119]
    assert set(penguins.year.tolist()) == {2007, 2008, 2009}


def test_penguins_measurements_are_in_plausible_units(penguins: Penguins) -> None:
    bill_length = penguins.column("bill_length_mm")
    body_mass = penguins.column("body_mass_g")
    assert bill_length.shape == (333,)
    assert 30 < float(bill_length.min()) and float(bill_length.max()) < 60
    assert 2500 < float(body_mass.min()) and float(body_mass.max()) < 6500
    assert torch.equal(body_mass, penguins.measurements[:, 3])


def test_penguins_column_rejects_unknown_names(penguins: Penguins) -> None:
    with pytest.raises(ValueError, match=r"unknown measurement 'mass'; expected one of: .*"):
        penguins.column("mass")


def test_schools_shapes_sizes_and_school_facts(schools: Schools) -> None:
    assert schools.x.shape == (4059, len(SCHOOL_FEATURES))
    assert schools.x.dtype == torch.float32
    assert schools.y.shape == (4059,)
    assert schools.y.dtype == torch.float32
    assert schools.school.dtype == torch.int64
    assert torch.isfinite(schools.x).all()
    assert torch.isfinite(schools.y).all()
    assert schools.n_tasks == 65
    assert torch.equal(torch.unique(schools.school), torch.arange(65))
    assert schools.sizes.shape == (65,)
    assert int(schools.sizes.min()) == 2
    assert int(schools.sizes.max()) == 198
    assert int(schools.sizes.sum()) == 4059
    assert set(schools.x[:, 1].tolist()) == {0.0, 1.0}  # the "female" indicator
    assert schools.school_gender.shape == (65,)
    assert schools.school_gender.dtype == torch.int64
    assert set(schools.school_gender.tolist()) == set(range(len(SCHOOL_GENDERS)))
    assert schools.school_intake.shape == (65,)
    assert torch.isfinite(schools.school_intake).all()


def test_schools_task_returns_that_schools_students(schools: Schools) -> None:
    biggest = int(schools.sizes.argmax())
    x, y = schools.task(biggest)
    assert x.shape == (198, 2)
    assert y.shape == (198,)
    assert torch.equal(y, schools.y[schools.school == biggest])
    # A boys' school has no girls and a girls' school no boys.
    for index in range(65):
        x_i, _ = schools.task(index)
        gender = SCHOOL_GENDERS[int(schools.school_gender[index])]
        if gender == "boys":
            assert float(x_i[:, 1].sum()) == 0.0
        elif gender == "girls":
            assert float(x_i[:, 1].min()) == 1.0


def test_schools_task_rejects_bad_indices(schools: Schools) -> None:
    with pytest.raises(ValueError, match=r"index must be a school in 0..64, got 65"):
        schools.task(65)
    with pytest.raises(ValueError, match=r"got -1"):
        schools.task(-1)
    with pytest.raises(TypeError, match=r"index must be an int school index, got float"):
        schools.task(1.0)


# ---------------------------------------------------------------- loaders: files


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_loaders_never_write_into_the_data_folder() -> None:
    before = folder_state(data.DATA_DIR)
    load_digits()
    load_penguins()
    load_schools()
    assert folder_state(data.DATA_DIR) == before


def test_data_dir_defaults_to_the_repository_and_follows_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MTL_DATA_DIR", raising=False)
    assert data_dir() == data.DATA_DIR
    assert (data_dir() / "digits.csv").is_file()
    monkeypatch.setenv("MTL_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path


def test_a_good_copy_elsewhere_loads_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, penguins: Penguins
) -> None:
    shutil.copy(data.DATA_DIR / "penguins.csv", tmp_path / "penguins.csv")
    assert torch.equal(load_penguins(folder=tmp_path).measurements, penguins.measurements)
    monkeypatch.setenv("MTL_DATA_DIR", str(tmp_path))
    assert torch.equal(load_penguins().species, penguins.species)


def damage(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # flip one bit in the middle of the file
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_missing_file_names_the_file_and_the_restore_command(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DataFileError, match=rf"data file .*{name} is missing") as caught:
        LOADERS[name](folder=tmp_path)
    assert f"git checkout -- data/{name}" in str(caught.value)
    assert "python scripts/make_data.py" in str(caught.value)
    monkeypatch.setenv("MTL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=rf"{name} is missing"):
        LOADERS[name]()


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_damaged_file_names_the_file_and_the_restore_command(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for source in data.DATA_DIR.glob("*.csv"):
        shutil.copy(source, tmp_path / source.name)
    damage(tmp_path / name)
    with pytest.raises(DataFileError, match=rf"data file .*{name} is damaged") as caught:
        LOADERS[name](folder=tmp_path)
    assert str(tmp_path / name) in str(caught.value)
    assert f"git checkout -- data/{name}" in str(caught.value)
    assert "python scripts/make_data.py" in str(caught.value)
    monkeypatch.setenv("MTL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=rf"{name} is damaged \(SHA-256 [0-9a-f]{{12}}\.\.\."):
        LOADERS[name]()


def test_data_file_error_is_a_runtime_error() -> None:
    assert issubclass(DataFileError, RuntimeError)


# ---------------------------------------------------------------- split_indices


def test_split_indices_hand_worked_sizes() -> None:
    generator = torch.Generator().manual_seed(0)
    train, test = split_indices(10, 0.25, generator)
    # round(10 * 0.25) = round(2.5) = 2 (Python rounds halves to even).
    assert len(test) == 2
    assert len(train) == 8
    assert sorted(torch.cat([train, test]).tolist()) == list(range(10))
    # A single row cannot be split: it goes to training.
    train, test = split_indices(1, 0.5, generator)
    assert train.tolist() == [0]
    assert test.tolist() == []
    # A tiny fraction still leaves one test row once n >= 2.
    _, test = split_indices(5, 0.01, generator)
    assert len(test) == 1


@settings(max_examples=60, deadline=None, database=None)
@given(
    n=st.integers(min_value=1, max_value=300),
    test_fraction=st.floats(min_value=0.01, max_value=0.99),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_split_indices_partitions_without_overlap(n: int, test_fraction: float, seed: int) -> None:
    train, test = split_indices(n, test_fraction, torch.Generator().manual_seed(seed))
    assert train.dtype == test.dtype == torch.int64
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted(train.tolist() + test.tolist()) == list(range(n))
    # round(n · fraction), at least one test row and at least one training row once n ≥ 2.
    expected = min(n - 1, max(1, round(n * test_fraction))) if n >= 2 else 0
    assert len(test) == expected


def test_split_indices_is_deterministic_and_depends_on_the_seed() -> None:
    first = split_indices(50, 0.3, torch.Generator().manual_seed(4))
    second = split_indices(50, 0.3, torch.Generator().manual_seed(4))
    other = split_indices(50, 0.3, torch.Generator().manual_seed(5))
    assert torch.equal(first[0], second[0])
    assert torch.equal(first[1], second[1])
    assert not torch.equal(first[1], other[1])


def test_split_indices_always_keeps_a_training_row() -> None:
    train, test = split_indices(2, 0.9, torch.Generator().manual_seed(0))
    assert len(train) == 1
    assert len(test) == 1


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_split_indices_rejects_fractions_outside_0_1(fraction: float) -> None:
    with pytest.raises(ValueError, match=r"test_fraction must be strictly between 0 and 1, got"):
        split_indices(10, fraction, torch.Generator())


def test_split_indices_rejects_bad_n() -> None:
    with pytest.raises(ValueError, match=r"n must be at least 1, got 0"):
        split_indices(0, 0.5, torch.Generator())
    with pytest.raises(TypeError, match=r"n must be an int, got float 10.0"):
        split_indices(10.0, 0.5, torch.Generator())


# ---------------------------------------------------------------- split_by_task


def test_split_by_task_hand_worked_case() -> None:
    # Task 0 has 10 rows -> 2 test rows (round(2.0)); task 1 has 4 rows -> 1 (round(0.8));
    # task 2 has a single row, which stays in training.
    task_ids = torch.tensor([0] * 10 + [1] * 4 + [2])
    train, test = split_by_task(task_ids, 0.2, torch.Generator().manual_seed(1))
    assert torch.bincount(task_ids[test], minlength=3).tolist() == [2, 1, 0]
    assert torch.bincount(task_ids[train], minlength=3).tolist() == [8, 3, 1]
    assert torch.equal(train, train.sort().values)
    assert torch.equal(test, test.sort().values)


@settings(max_examples=40, deadline=None, database=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8),
    test_fraction=st.floats(min_value=0.05, max_value=0.5),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_split_by_task_keeps_each_tasks_fraction(
    sizes: list[int], test_fraction: float, seed: int
) -> None:
    task_ids = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    # Interleave the rows so that tasks are not stored in blocks.
    task_ids = task_ids[torch.randperm(len(task_ids), generator=torch.Generator().manual_seed(0))]
    train, test = split_by_task(task_ids, test_fraction, torch.Generator().manual_seed(seed))
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted(train.tolist() + test.tolist()) == list(range(len(task_ids)))
    test_counts = torch.bincount(task_ids[test], minlength=len(sizes)).tolist()
    for size, count in zip(sizes, test_counts, strict=True):
        assert count == (max(1, round(size * test_fraction)) if size >= 2 else 0)


def test_split_by_task_on_schools_keeps_every_school_in_training(schools: Schools) -> None:
    train, test = split_by_task(schools.school, 0.2, torch.Generator().manual_seed(0))
    assert len(train) + len(test) == 4059
    train_sizes = torch.bincount(schools.school[train], minlength=65)
    assert (train_sizes >= 1).all()
    fraction = torch.bincount(schools.school[test], minlength=65) / schools.sizes
    big = schools.sizes >= 50
    assert (fraction[big] - 0.2).abs().max() < 0.02


def test_split_by_task_is_deterministic() -> None:
    task_ids = torch.tensor([0, 1, 0, 1, 0, 1, 2, 2, 2, 2])
    first = split_by_task(task_ids, 0.5, torch.Generator().manual_seed(9))
    second = split_by_task(task_ids, 0.5, torch.Generator().manual_seed(9))
    assert torch.equal(first[0], second[0])
    assert torch.equal(first[1], second[1])


def test_split_by_task_rejects_bad_task_ids() -> None:
    with pytest.raises(TypeError, match=r"task_ids must have an integer dtype, got torch.float32"):
        split_by_task(torch.zeros(4), 0.5, torch.Generator())
    with pytest.raises(
        ValueError, match=r"task_ids must have 1 dimension\(s\), got shape \(2, 2\)"
    ):
        split_by_task(torch.zeros(2, 2, dtype=torch.int64), 0.5, torch.Generator())
    with pytest.raises(TypeError, match=r"task_ids must be a torch.Tensor, got list"):
        split_by_task([0, 1], 0.5, torch.Generator())
    with pytest.raises(ValueError, match=r"test_fraction must be strictly between 0 and 1, got 2"):
        split_by_task(torch.tensor([0, 0, 1, 1]), 2, torch.Generator())


def test_split_by_task_rejects_empty_task_ids_naming_them() -> None:
    with pytest.raises(ValueError, match=r"task_ids"):
        split_by_task(torch.zeros(0, dtype=torch.int64), 0.5, torch.Generator())


# ---------------------------------------------------------------- standardize


def test_standardize_hand_worked_case() -> None:
    # Column 0: mean 2, sample std sqrt(((1-2)^2 + 0 + (3-2)^2) / 2) = 1.
    # Column 1: constant 5, so its std is replaced by 1 and it becomes all zeros.
    train = torch.tensor([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    test = torch.tensor([[4.0, 7.0]])
    (train_std, test_std), mean, std = standardize(train, test)
    assert torch.equal(mean, torch.tensor([2.0, 5.0]))
    assert torch.equal(std, torch.tensor([1.0, 1.0]))
    assert torch.equal(train_std, torch.tensor([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]))
    assert torch.equal(test_std, torch.tensor([[2.0, 2.0]]))


def test_standardize_gives_zero_mean_unit_std_on_the_training_part() -> None:
    generator = torch.Generator().manual_seed(0)
    train = torch.randn(200, 3, generator=generator) * torch.tensor([10.0, 0.1, 3.0]) + 7.0
    others = torch.randn(50, 3, generator=generator)
    scaled, mean, std = standardize(train, others)
    assert len(scaled) == 2
    assert scaled[1].shape == (50, 3)
    assert torch.allclose(scaled[0].mean(dim=0), torch.zeros(3), atol=1e-5)
    assert torch.allclose(scaled[0].std(dim=0), torch.ones(3), atol=1e-5)
    # The other tensor uses the training statistics, not its own.
    assert torch.allclose(scaled[1], (others - mean) / std)


def test_standardize_one_dimensional_targets() -> None:
    (y_std,), mean, std = standardize(torch.tensor([0.0, 2.0, 4.0]))
    # mean 2, sample std sqrt((4 + 0 + 4) / 2) = 2.
    assert float(mean) == 2.0
    assert float(std) == 2.0
    assert y_std.tolist() == [-1.0, 0.0, 1.0]


def test_standardize_rejects_bad_shapes_and_dtypes() -> None:
    with pytest.raises(
        ValueError, match=r"tensor 1 must have trailing shape \(3,\) like train, got \(5, 2\)"
    ):
        standardize(torch.zeros(4, 3), torch.zeros(5, 2))
    with pytest.raises(TypeError, match=r"train must have a floating dtype, got torch.int64"):
        standardize(torch.zeros(4, 3, dtype=torch.int64))
    with pytest.raises(TypeError, match=r"tensor 2 must have a floating dtype, got torch.int64"):
        standardize(torch.zeros(4, 3), torch.zeros(1, 3), torch.zeros(2, 3, dtype=torch.int64))


def test_standardize_rejects_a_single_training_row() -> None:
    with pytest.raises(ValueError, match=r"train"):
        standardize(torch.tensor([[1.0, 2.0]]))


def test_school_task_data_splits_rows_by_school(schools: Schools) -> None:
    rows = torch.arange(len(schools.y))
    tasks = schools.task_data(rows)
    assert len(tasks) == 65
    assert [len(t) for t in tasks] == schools.sizes.tolist()
    assert tasks[3].name == "school 3" and tasks[3].loss == "mse"
    x3, y3 = schools.task(3)
    assert torch.equal(tasks[3].x, x3) and torch.equal(tasks[3].y, y3)
    chosen = schools.task_data(rows[:100], torch.tensor([1, 0]))
    assert [t.name for t in chosen] == ["school 1", "school 0"]
    assert sum(len(t) for t in chosen) == int((schools.school[:100] <= 1).sum())


def test_school_task_data_rejects_float_rows(schools: Schools) -> None:
    with pytest.raises(TypeError, match=r"rows must have an integer dtype, got torch\.float32"):
        schools.task_data(torch.zeros(3))


def test_split_by_task_refuses_negative_task_ids() -> None:
    with pytest.raises(ValueError, match=r"task_ids must be task indices ≥ 0, got -2"):
        split_by_task(torch.tensor([0, -2, 1]), 0.5, torch.Generator().manual_seed(0))


def test_a_missing_file_under_mtl_data_dir_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTL_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataFileError, match="environment variable MTL_DATA_DIR"):
        load_digits()


# ---------------------------------------------------------------- bad input, named early


@pytest.mark.parametrize(
    ("generator", "shown"), [(42, r"int 42"), (None, r"NoneType None"), ("gen", r"str 'gen'")]
)
def test_splits_require_a_generator(generator: object, shown: str) -> None:
    expected = r"generator must be a torch\.Generator .*got " + shown
    with pytest.raises(TypeError, match=expected):
        split_indices(10, 0.3, generator)
    with pytest.raises(TypeError, match=expected):
        split_by_task(torch.tensor([0, 0, 1, 1]), 0.5, generator)


def test_split_indices_names_a_fraction_that_is_not_a_number() -> None:
    with pytest.raises(
        TypeError, match=r"test_fraction must be a number strictly between 0 and 1, got str '0\.3'"
    ):
        split_indices(10, "0.3", torch.Generator())
    with pytest.raises(TypeError, match=r"test_fraction must be a number .*got bool True"):
        split_by_task(torch.tensor([0, 0, 1, 1]), True, torch.Generator())


def test_standardize_refuses_non_finite_values_instead_of_returning_nan() -> None:
    with pytest.raises(ValueError, match=r"train must be finite, got nan at index \(1, 0\)"):
        standardize(torch.tensor([[1.0], [float("nan")], [3.0]]))
    with pytest.raises(ValueError, match=r"tensor 1 must be finite, got inf at index \(0,\)"):
        standardize(torch.tensor([1.0, 2.0]), torch.tensor([float("inf")]))


def test_school_task_data_names_rows_and_schools_out_of_range(schools: Schools) -> None:
    rows = torch.arange(len(schools.y))
    with pytest.raises(
        ValueError, match=r"rows must be student indices in 0\.\.4058, got values from 5000 to 5000"
    ):
        schools.task_data(torch.tensor([5000]))
    with pytest.raises(ValueError, match=r"got values from -1 to 3"):
        schools.task_data(torch.tensor([3, -1]))
    with pytest.raises(ValueError, match=r"school_ids must be school indices in 0\.\.64, got 99"):
        schools.task_data(rows, torch.tensor([99]))
    with pytest.raises(
        ValueError,
        match=r"school_ids must be distinct \(each school is one task\), got 0 2 times",
    ):
        schools.task_data(rows, torch.tensor([0, 0]))


def test_school_task_data_names_a_school_without_students_in_rows(schools: Schools) -> None:
    first_of_school_0 = torch.nonzero(schools.school == 0)[:1].flatten()
    with pytest.raises(
        ValueError,
        match=r"rows hold no student of school 1, so task 'school 1' would be empty",
    ):
        schools.task_data(first_of_school_0, torch.tensor([0, 1]))
