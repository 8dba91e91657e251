"""Tests for mtl_helpers.tasks: losses on hand-worked values, task data, drawing, digit rules."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from mtl_helpers.tasks import (
    DIGIT_RULES,
    LOSS_NAMES,
    METRIC_NAMES,
    Task,
    TaskData,
    digit_task,
    task_loss,
    task_metric,
    task_names,
)

# ---------------------------------------------------------------- task_loss


def test_mse_hand_worked() -> None:
    # ((1 - 0)^2 + (2 - 0)^2) / 2 = 5 / 2
    value = task_loss("mse", torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
    assert value.shape == ()
    assert float(value) == 2.5


def test_mse_accepts_integer_targets() -> None:
    # ((1 - 1)^2 + (3 - 1)^2) / 2 = 2
    assert float(task_loss("mse", torch.tensor([1.0, 3.0]), torch.tensor([1, 1]))) == 2.0


def test_cross_entropy_of_equal_logits_is_log_of_class_count() -> None:
    for n_classes in (2, 3, 10):
        logits = torch.full((4, n_classes), 0.7)
        targets = torch.arange(4) % n_classes
        assert math.isclose(
            float(task_loss("cross_entropy", logits, targets)), math.log(n_classes), rel_tol=1e-6
        )


def test_cross_entropy_hand_worked() -> None:
    # Logits (log 3, 0) give softmax (3/4, 1/4); the loss of class 0 is -log(3/4).
    logits = torch.tensor([[math.log(3.0), 0.0]])
    value = float(task_loss("cross_entropy", logits, torch.tensor([0])))
    assert math.isclose(value, -math.log(0.75), rel_tol=1e-6)


def test_bce_hand_worked() -> None:
    # A logit of 0 is probability 1/2 whatever the target: -log(1/2) = log 2.
    value = task_loss("bce", torch.zeros(3), torch.tensor([0.0, 1.0, 1.0]))
    assert math.isclose(float(value), math.log(2.0), rel_tol=1e-6)
    # Logit log 3 is probability 3/4; target 1 costs -log(3/4), target 0 costs -log(1/4).
    value = task_loss("bce", torch.full((2,), math.log(3.0)), torch.tensor([1.0, 0.0]))
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    assert math.isclose(float(value), expected, rel_tol=1e-6)


@settings(max_examples=30, deadline=None, database=None)
@given(n=st.integers(1, 20), n_classes=st.integers(2, 6), seed=st.integers(0, 2**31))
def test_losses_match_torch_functional(n: int, n_classes: int, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, n_classes, generator=generator)
    classes = torch.randint(0, n_classes, (n,), generator=generator)
    scores = torch.randn(n, generator=generator)
    bits = torch.randint(0, 2, (n,), generator=generator).float()
    assert torch.allclose(
        task_loss("cross_entropy", logits, classes), F.cross_entropy(logits, classes)
    )
    assert torch.allclose(
        task_loss("bce", scores, bits), F.binary_cross_entropy_with_logits(scores, bits)
    )
    assert torch.allclose(task_loss("mse", scores, bits), F.mse_loss(scores, bits))


def test_task_loss_rejects_unknown_loss_listing_the_names() -> None:
    with pytest.raises(
        ValueError, match=r"unknown loss 'l1'; expected one of: 'cross_entropy', 'bce', 'mse'"
    ):
        task_loss("l1", torch.zeros(2), torch.zeros(2))


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize(
    ("prediction_shape", "target_shape"),
    [((4, 1), (4,)), ((4,), (4, 1)), ((4,), (3,)), ((2, 2), (2, 2))],
)
def test_scalar_losses_reject_shape_mismatches(
    loss: str, prediction_shape: tuple[int, ...], target_shape: tuple[int, ...]
) -> None:
    expected = (
        rf"for loss '{loss}', prediction and target must both have shape \(n,\), got "
        + re_shape(prediction_shape)
        + " and "
        + re_shape(target_shape)
    )
    with pytest.raises(ValueError, match=expected):
        task_loss(loss, torch.zeros(prediction_shape), torch.zeros(target_shape))


def re_shape(shape: tuple[int, ...]) -> str:
    """The regex for a shape as the messages print it, e.g. ``\\(4, 1\\)`` or ``\\(4,\\)``."""
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_cross_entropy_rejects_bad_shapes_and_dtypes() -> None:
    with pytest.raises(
        ValueError, match=r"prediction must have 2 dimension\(s\), got shape \(4,\)"
    ):
        task_loss("cross_entropy", torch.zeros(4), torch.zeros(4, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"target must have 1 dimension\(s\), got shape \(4, 1\)"):
        task_loss("cross_entropy", torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.int64))
    with pytest.raises(TypeError, match=r"target must have an integer dtype, got torch.float32"):
        task_loss("cross_entropy", torch.zeros(4, 3), torch.zeros(4))
    with pytest.raises(
        ValueError,
        match=r"prediction and target must have the same first dimension, got shapes "
        r"\(4, 3\) and \(5,\)",
    ):
        task_loss("cross_entropy", torch.zeros(4, 3), torch.zeros(5, dtype=torch.int64))


def test_task_loss_rejects_integer_predictions_and_non_tensors() -> None:
    with pytest.raises(TypeError, match=r"prediction must have a floating dtype, got torch.int64"):
        task_loss("mse", torch.zeros(2, dtype=torch.int64), torch.zeros(2))
    with pytest.raises(TypeError, match=r"target must be a torch.Tensor, got list"):
        task_loss("mse", torch.zeros(2), [0.0, 0.0])


@pytest.mark.parametrize(
    ("loss", "prediction", "target"),
    [
        ("mse", torch.tensor([1.0, math.nan]), torch.tensor([0.0, 0.0])),
        ("bce", torch.tensor([math.nan, 0.0]), torch.tensor([0.0, 1.0])),
        ("cross_entropy", torch.tensor([[0.0, math.nan]]), torch.tensor([0])),
    ],
)
def test_a_nan_prediction_raises_naming_the_prediction(
    loss: str, prediction: torch.Tensor, target: torch.Tensor
) -> None:
    with pytest.raises(ValueError, match=r"prediction must be finite, got nan at index"):
        task_loss(loss, prediction, target)


def test_an_overflowing_loss_raises_naming_the_loss() -> None:
    # Finite predictions whose squared error overflows float32: (3e38 - 0)² = inf.
    with pytest.raises(ValueError, match=r"mse loss must be finite, got inf"):
        task_loss("mse", torch.tensor([3e38]), torch.tensor([0.0]))


# ---------------------------------------------------------------- task_metric


def test_metric_names_cover_every_loss() -> None:
    assert set(METRIC_NAMES) == set(LOSS_NAMES)


def test_task_metric_hand_worked() -> None:
    # Argmax classes 1, 0, 2 against targets 1, 1, 2: two of three right.
    logits = torch.tensor([[0.0, 2.0, 1.0], [3.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    assert math.isclose(
        task_metric("cross_entropy", logits, torch.tensor([1, 1, 2])), 2 / 3, rel_tol=1e-6
    )
    # Logits > 0 predict 1: predictions 1, 0, 0, 1 against 1, 0, 1, 1 -> 3 of 4 right.
    scores = torch.tensor([0.5, -0.2, -3.0, 2.0])
    assert task_metric("bce", scores, torch.tensor([1.0, 0.0, 1.0, 1.0])) == 0.75
    # The regression metric is the mean squared error: (1 + 4) / 2.
    assert task_metric("mse", torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])) == 2.5


def test_task_metric_rejects_unknown_loss() -> None:
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'"):
        task_metric("hinge", torch.zeros(2), torch.zeros(2))


def test_task_metric_rejects_shape_mismatches() -> None:
    scores = torch.tensor([[1.0], [1.0], [-1.0], [-1.0]])
    with pytest.raises(ValueError, match=r"\(4, 1\) and \(4,\)"):
        task_metric("bce", scores, torch.tensor([1.0, 1.0, 0.0, 0.0]))


# ---------------------------------------------------------------- TaskData


def test_task_data_length_and_subset() -> None:
    x = torch.arange(12.0).reshape(6, 2)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    data = TaskData("t", x, y, "cross_entropy")
    assert len(data) == 6
    part = data.subset(torch.tensor([4, 1]))
    assert part.name == "t"
    assert part.loss == "cross_entropy"
    assert torch.equal(part.x, torch.tensor([[8.0, 9.0], [2.0, 3.0]]))
    assert torch.equal(part.y, torch.tensor([1, 1]))
    assert len(part) == 2


def test_task_data_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"unknown loss 'l2'"):
        TaskData("t", torch.zeros(3, 2), torch.zeros(3), "l2")
    with pytest.raises(ValueError, match=r"y must have 1 dimension\(s\), got shape \(3, 1\)"):
        TaskData("t", torch.zeros(3, 2), torch.zeros(3, 1), "mse")
    with pytest.raises(
        ValueError,
        match=r"x and y must have the same first dimension, got shapes \(3, 2\) and \(4,\)",
    ):
        TaskData("t", torch.zeros(3, 2), torch.zeros(4), "mse")
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got list"):
        TaskData("t", [[0.0]], torch.zeros(1), "mse")
    with pytest.raises(
        ValueError, match=r"x of task 't' must be finite, got inf at index \(1, 0\)"
    ):
        TaskData("t", torch.tensor([[0.0], [math.inf]]), torch.zeros(2), "mse")
    with pytest.raises(ValueError, match=r"y of task 't' must be finite, got nan at index \(0,\)"):
        TaskData("t", torch.zeros(2, 1), torch.tensor([math.nan, 0.0]), "mse")


def test_task_names_must_be_distinct() -> None:
    a = TaskData("a", torch.zeros(2, 1), torch.zeros(2), "mse")
    b = TaskData("b", torch.zeros(2, 1), torch.zeros(2), "mse")
    assert task_names([a, b]) == ("a", "b")
    with pytest.raises(ValueError, match=r"task names must be distinct, got \('a', 'b', 'a'\)"):
        task_names([a, b, a])


# ---------------------------------------------------------------- Task


def gaussian_inputs(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(n, 3, generator=generator)


def noisy_sum(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return x.sum(dim=1) + 0.1 * torch.randn(len(x), generator=generator)


def test_from_sampler_draws_labelled_examples() -> None:
    task = Task.from_sampler("sum", gaussian_inputs, noisy_sum, "mse")
    draw = task.draw(50, torch.Generator().manual_seed(0))
    assert isinstance(draw, TaskData)
    assert draw.name == "sum"
    assert draw.loss == "mse"
    assert draw.x.shape == (50, 3)
    assert draw.y.shape == (50,)
    # The labels follow the rule: the noise has standard deviation 0.1.
    assert float((draw.y - draw.x.sum(dim=1)).abs().max()) < 0.5


def test_from_sampler_is_deterministic_under_a_seeded_generator() -> None:
    task = Task.from_sampler("sum", gaussian_inputs, noisy_sum, "mse")
    first = task.draw(20, torch.Generator().manual_seed(3))
    second = task.draw(20, torch.Generator().manual_seed(3))
    assert torch.equal(first.x, second.x)
    assert torch.equal(first.y, second.y)
    generator = torch.Generator().manual_seed(3)
    task.draw(20, generator)
    later = task.draw(20, generator)  # the generator has moved on
    assert not torch.equal(first.x, later.x)


def test_from_data_draws_distinct_rows_deterministically() -> None:
    x = torch.arange(20.0).reshape(10, 2)
    y = torch.arange(10.0)
    task = Task.from_data("rows", x, y, "mse")
    first = task.draw(6, torch.Generator().manual_seed(1))
    second = task.draw(6, torch.Generator().manual_seed(1))
    other = task.draw(6, torch.Generator().manual_seed(2))
    assert torch.equal(first.y, second.y)
    assert not torch.equal(first.y, other.y)
    rows = first.y.long()
    assert len(set(rows.tolist())) == 6  # distinct rows
    assert torch.equal(first.x, x[rows])  # inputs and targets stay paired
    everything = task.draw(10, torch.Generator().manual_seed(1))
    assert sorted(everything.y.tolist()) == y.tolist()


def test_from_data_refuses_more_rows_than_it_has() -> None:
    task = Task.from_data("rows", torch.zeros(5, 2), torch.zeros(5), "mse")
    with pytest.raises(ValueError, match=r"n must be at most the 5 rows of task 'rows', got 6"):
        task.draw(6, torch.Generator())


def test_task_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"unknown loss 'nll'"):
        Task.from_sampler("s", gaussian_inputs, noisy_sum, "nll")
    with pytest.raises(
        ValueError,
        match=r"x and y must have the same first dimension, got shapes \(5, 2\) and \(4,\)",
    ):
        Task.from_data("rows", torch.zeros(5, 2), torch.zeros(4), "mse")
    with pytest.raises(ValueError, match=r"y must have 1 dimension\(s\), got shape \(5, 2\)"):
        Task.from_data("rows", torch.zeros(5, 2), torch.zeros(5, 2), "mse")
    task = Task.from_sampler("s", gaussian_inputs, noisy_sum, "mse")
    with pytest.raises(ValueError, match=r"n must be at least 1, got 0"):
        task.draw(0, torch.Generator())
    with pytest.raises(TypeError, match=r"n must be an int, got float 2.0"):
        task.draw(2.0, torch.Generator())


# ---------------------------------------------------------------- digit_task


def test_digit_rules_on_hand_picked_digits() -> None:
    digits = torch.tensor([3, 4, 5, 0, 9])
    images = torch.zeros(5, 8, 8)
    parity = digit_task("parity", images, digits)
    assert parity.y.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]  # 3 is odd -> 1, 4 is even -> 0
    assert parity.loss == "bce"
    assert parity.y.dtype == torch.float32
    at_least_5 = digit_task("at_least_5", images, digits)
    assert at_least_5.y.tolist() == [0.0, 0.0, 1.0, 0.0, 1.0]  # 4 -> 0, 5 -> 1
    assert at_least_5.loss == "bce"
    digit = digit_task("digit", images, digits)
    assert digit.y.tolist() == [3, 4, 5, 0, 9]
    assert digit.loss == "cross_entropy"
    assert digit.name == "digit"
    assert digit.x.shape == (5, 64)


def test_digit_task_keeps_flat_images_and_rules_match_losses() -> None:
    assert set(DIGIT_RULES) == {"digit", "parity", "at_least_5"}
    images = torch.rand(4, 64, generator=torch.Generator().manual_seed(0))
    data = digit_task("parity", images, torch.tensor([1, 2, 3, 4]))
    assert torch.equal(data.x, images)


def test_digit_task_rejects_bad_input() -> None:
    images = torch.zeros(3, 8, 8)
    with pytest.raises(
        ValueError, match=r"unknown rule 'prime'; expected one of: 'digit', 'parity', 'at_least_5'"
    ):
        digit_task("prime", images, torch.tensor([1, 2, 3]))
    with pytest.raises(TypeError, match=r"digits must have an integer dtype, got torch.float32"):
        digit_task("parity", images, torch.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(
        ValueError,
        match=r"images and digits must have the same first dimension, got shapes \(3, 8, 8\) "
        r"and \(2,\)",
    ):
        digit_task("parity", images, torch.tensor([1, 2]))


# ---------------------------------------------------------------- labels and rows out of range


def test_cross_entropy_rejects_a_class_outside_the_logits() -> None:
    with pytest.raises(ValueError, match=r"class indices in 0\.\.1 for 2 logits, got 5"):
        task_loss("cross_entropy", torch.zeros(3, 2), torch.tensor([0, 1, 5]))
    with pytest.raises(ValueError, match=r"got -1"):
        task_loss("cross_entropy", torch.zeros(2, 2), torch.tensor([0, -1]))


def test_bce_rejects_labels_other_than_0_and_1() -> None:
    with pytest.raises(ValueError, match=r"target must hold 0/1 labels for loss 'bce', got 2\.0"):
        task_loss("bce", torch.zeros(3), torch.tensor([0.0, 2.0, 1.0]))


def test_an_empty_batch_is_refused_rather_than_averaged_to_nan() -> None:
    with pytest.raises(ValueError, match=r"at least one example, got shape \(0,\)"):
        task_loss("mse", torch.zeros(0), torch.zeros(0))


def test_task_data_refuses_bad_targets_inputs_and_emptiness() -> None:
    with pytest.raises(ValueError, match=r"shape \(n, features\.\.\.\), got \(3,\)"):
        TaskData("t", torch.zeros(3), torch.zeros(3), "mse")
    with pytest.raises(ValueError, match=r"task 't' must hold at least one example"):
        TaskData("t", torch.zeros(0, 2), torch.zeros(0), "mse")
    with pytest.raises(ValueError, match=r"class indices ≥ 0, got -1"):
        TaskData("t", torch.zeros(2, 2), torch.tensor([0, -1]), "cross_entropy")
    with pytest.raises(TypeError, match=r"y of task 't' must have a floating dtype"):
        TaskData("t", torch.zeros(2, 2), torch.tensor([0, 1]), "bce")
    with pytest.raises(ValueError, match=r"0/1 labels for loss 'bce', got 2\.0"):
        TaskData("t", torch.zeros(2, 2), torch.tensor([0.0, 2.0]), "bce")


def test_subset_refuses_rows_outside_the_task() -> None:
    data = TaskData("t", torch.zeros(3, 2), torch.zeros(3), "mse")
    with pytest.raises(ValueError, match=r"rows must index the 3 examples of task 't', got 0\.\.5"):
        data.subset(torch.tensor([0, 5]))
    with pytest.raises(TypeError, match=r"rows must have an integer dtype"):
        data.subset(torch.tensor([0.5]))


def test_digit_task_refuses_digits_outside_0_to_9() -> None:
    with pytest.raises(ValueError, match=r"digits must lie in 0\.\.9, got values from -1 to 11"):
        digit_task("parity", torch.zeros(2, 64), torch.tensor([11, -1]))


# ---------------------------------------------------------------- dtypes and generators


def test_class_labels_must_be_int64_as_cross_entropy_needs() -> None:
    int32 = torch.tensor([0, 1, 2, 0, 1], dtype=torch.int32)
    with pytest.raises(
        TypeError,
        match=r"y of task 'c' must have dtype torch\.int64 \(torch\.long\) for loss "
        r"'cross_entropy', got torch\.int32; convert it with \.long\(\)",
    ):
        TaskData("c", torch.randn(5, 2), int32, "cross_entropy")
    with pytest.raises(
        TypeError,
        match=r"target must have dtype torch\.int64 \(torch\.long\) for loss 'cross_entropy', "
        r"got torch\.int32",
    ):
        task_loss("cross_entropy", torch.randn(4, 3), int32[:4])
    with pytest.raises(TypeError, match=r"target must have dtype torch\.int64 .*got torch\.uint8"):
        task_metric("cross_entropy", torch.randn(4, 3), torch.zeros(4, dtype=torch.uint8))
    with pytest.raises(TypeError, match=r"y must have dtype torch\.int64 .*got torch\.int32"):
        Task.from_data("c", torch.randn(5, 2), int32, "cross_entropy")
    # The same labels as int64 are fine.
    assert len(TaskData("c", torch.randn(5, 2), int32.long(), "cross_entropy")) == 5


@pytest.mark.parametrize(
    ("generator", "shown"), [(42, r"int 42"), (None, r"NoneType None"), ("gen", r"str 'gen'")]
)
def test_draw_requires_a_generator(generator: object, shown: str) -> None:
    task = Task.from_data("rows", torch.zeros(5, 2), torch.zeros(5), "mse")
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .*got " + shown):
        task.draw(3, generator)
    sampled = Task.from_sampler("s", gaussian_inputs, noisy_sum, "mse")
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .*got " + shown):
        sampled.draw(3, generator)


def test_digit_task_names_images_that_are_not_a_float_tensor() -> None:
    digits = torch.tensor([1, 2])
    with pytest.raises(TypeError, match=r"images must be a torch\.Tensor, got list"):
        digit_task("parity", [[0.0] * 64, [0.0] * 64], digits)
    with pytest.raises(TypeError, match=r"images must have a floating dtype, got torch\.int64"):
        digit_task("parity", torch.zeros(2, 64, dtype=torch.int64), digits)
    with pytest.raises(
        ValueError, match=r"images must have shape \(n, 8, 8\) or \(n, 64\), got \(64,\)"
    ):
        digit_task("parity", torch.zeros(64), digits)


def test_digit_task_gives_int64_classes_for_any_integer_digits() -> None:
    data = digit_task("digit", torch.zeros(3, 64), torch.tensor([7, 0, 9], dtype=torch.int32))
    assert data.y.dtype == torch.int64
    assert data.y.tolist() == [7, 0, 9]


def test_task_data_needs_a_name() -> None:
    x, y = torch.ones(3, 2), torch.ones(3)
    with pytest.raises(TypeError, match=r"name must be a non-empty str naming the task, got int 5"):
        TaskData(5, x, y, "mse")
    with pytest.raises(
        TypeError, match=r"name must be a non-empty str naming the task, got str ''"
    ):
        TaskData("", x, y, "mse")
