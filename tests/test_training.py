"""Tests for mtl_helpers.training: samplers, the training loop, its history and its hooks."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from mtl_helpers.architectures import HardSharing
from mtl_helpers.models import PerTaskModels, PooledModel
from mtl_helpers.tasks import TaskData
from mtl_helpers.training import (
    History,
    evaluate,
    every_task_sampler,
    task_subset_sampler,
    train_multitask,
)

# Two linear regression tasks on the same 3 inputs, with different weights and offsets.
TRUE_WEIGHTS = torch.tensor([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]])
TRUE_OFFSETS = (0.0, 0.5)


def regression_tasks(seed: int, n: int = 40) -> list[TaskData]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=generator)
    return [
        TaskData(f"task_{i}", x, x @ TRUE_WEIGHTS[i] + TRUE_OFFSETS[i], "mse") for i in range(2)
    ]


def linear_per_task_model(seed: int) -> PerTaskModels:
    """One linear model per task, initialised from ``seed`` without touching global state."""
    model = PerTaskModels(lambda _: nn.Linear(3, 1), n_tasks=2)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))
    return model


def parameters_of(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


# ---------------------------------------------------------------- samplers


def test_every_task_sampler_plan() -> None:
    sample = every_task_sampler([5, 3, 10], batch_size=4)
    plan = sample(torch.Generator().manual_seed(0))
    assert [task for task, _ in plan] == [0, 1, 2]
    # batch_size rows each, or all rows of a task smaller than that.
    assert [len(rows) for _, rows in plan] == [4, 3, 4]
    for (_, rows), size in zip(plan, [5, 3, 10], strict=True):
        assert rows.dtype == torch.int64
        assert len(set(rows.tolist())) == len(rows)
        assert 0 <= int(rows.min()) and int(rows.max()) < size


def test_every_task_sampler_is_deterministic() -> None:
    sample = every_task_sampler([6, 9], batch_size=3)
    first = sample(torch.Generator().manual_seed(2))
    second = sample(torch.Generator().manual_seed(2))
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(first, second, strict=True))
    generator = torch.Generator().manual_seed(2)
    sample(generator)
    later = sample(generator)
    assert not all(torch.equal(a, b) for (_, a), (_, b) in zip(first, later, strict=True))


def test_task_subset_sampler_plan() -> None:
    sizes = [5, 3, 10, 7]
    sample = task_subset_sampler(sizes, tasks_per_step=2, batch_size=4)
    generator = torch.Generator().manual_seed(0)
    counts = [0, 0, 0, 0]
    for _ in range(400):
        plan = sample(generator)
        tasks = [task for task, _ in plan]
        assert len(tasks) == 2
        assert len(set(tasks)) == 2
        assert tasks == sorted(tasks)
        for task, rows in plan:
            counts[task] += 1
            assert len(rows) == min(4, sizes[task])
            assert len(set(rows.tolist())) == len(rows)
            assert int(rows.max()) < sizes[task]
    # 400 steps x 2 tasks / 4 tasks = 200 expected draws per task (std about 10).
    assert sum(counts) == 800
    assert all(150 < count < 250 for count in counts)


def test_task_subset_sampler_is_deterministic_and_may_take_all_tasks() -> None:
    sample = task_subset_sampler([4, 4, 4], tasks_per_step=2, batch_size=2)
    first = sample(torch.Generator().manual_seed(5))
    second = sample(torch.Generator().manual_seed(5))
    assert [t for t, _ in first] == [t for t, _ in second]
    assert all(torch.equal(a, b) for (_, a), (_, b) in zip(first, second, strict=True))
    everything = task_subset_sampler([4, 4, 4], tasks_per_step=3, batch_size=2)
    assert [t for t, _ in everything(torch.Generator())] == [0, 1, 2]


def test_samplers_reject_bad_arguments() -> None:
    with pytest.raises(
        ValueError,
        match=r"sizes must all be ≥ 1 \(a task without rows cannot be sampled\), got 0 at index 1",
    ):
        every_task_sampler([4, 0], batch_size=2)
    with pytest.raises(ValueError, match=r"batch_size must be at least 1, got 0"):
        every_task_sampler([4, 4], batch_size=0)
    with pytest.raises(
        ValueError, match=r"tasks_per_step must be at most the number of tasks \(2\), got 3"
    ):
        task_subset_sampler([4, 4], tasks_per_step=3, batch_size=2)
    with pytest.raises(ValueError, match=r"tasks_per_step must be at least 1, got 0"):
        task_subset_sampler([4, 4], tasks_per_step=0, batch_size=2)
    with pytest.raises(TypeError, match=r"batch_size must be an int, got float 2.0"):
        task_subset_sampler([4, 4], tasks_per_step=1, batch_size=2.0)


# ---------------------------------------------------------------- evaluate


def test_evaluate_hand_worked_and_restores_the_mode() -> None:
    net = nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.zero_()
    model = PooledModel(net)
    model.train()
    regression = TaskData("r", torch.zeros(2, 1), torch.tensor([1.0, 3.0]), "mse")
    # A zero prediction: MSE (1 + 9) / 2 = 5; a zero logit is the class-1 accuracy threshold:
    # 0 > 0 is false, so every prediction is 0 and one of two targets is right.
    binary = TaskData("b", torch.zeros(2, 1), torch.tensor([0.0, 1.0]), "bce")
    losses, metrics = evaluate(model, [regression, binary])
    assert losses.shape == metrics.shape == (2,)
    assert float(losses[0]) == 5.0
    assert math.isclose(float(losses[1]), math.log(2.0), rel_tol=1e-6)
    assert float(metrics[0]) == 5.0
    assert float(metrics[1]) == 0.5
    assert model.training
    model.eval()
    evaluate(model, [regression])
    assert not model.training


# ---------------------------------------------------------------- train_multitask


def test_training_lowers_the_loss_clearly() -> None:
    tasks = regression_tasks(seed=0)
    model = linear_per_task_model(seed=1)
    initial, _ = evaluate(model, tasks)
    history = train_multitask(
        model, tasks, steps=60, generator=torch.Generator().manual_seed(0), lr=0.1
    )
    final = history.final("train_loss")
    assert final.shape == (2,)
    # Each task's loss falls by more than a factor of 20 on this noiseless linear problem.
    assert (final < initial / 20).all()
    assert history.objective[-1] < history.objective[0] / 20


def test_training_is_deterministic_under_equal_seeds() -> None:
    runs = []
    for _ in range(2):
        tasks = regression_tasks(seed=0)
        model = linear_per_task_model(seed=1)
        history = train_multitask(
            model,
            tasks,
            steps=15,
            generator=torch.Generator().manual_seed(3),
            batch_size=8,
            test=regression_tasks(seed=1, n=10),
        )
        runs.append((history, parameters_of(model)))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))
    other = train_multitask(
        linear_per_task_model(seed=1),
        regression_tasks(seed=0),
        steps=15,
        generator=torch.Generator().manual_seed(4),
        batch_size=8,
    )
    assert other.objective != runs[0][0].objective


def test_history_shapes_and_eval_points() -> None:
    tasks = regression_tasks(seed=0, n=12)
    history = train_multitask(
        linear_per_task_model(seed=0),
        tasks,
        steps=20,
        generator=torch.Generator().manual_seed(0),
        eval_every=7,
        test=regression_tasks(seed=1, n=6),
    )
    # Every 7 steps, plus once after the last step.
    assert history.step == [7, 14, 20]
    assert len(history.objective) == 20
    assert history.task_names == ("task_0", "task_1")
    assert history.metric_names == ("mse", "mse")
    for key in ("train_loss", "test_loss", "test_metric"):
        assert history.curve(key).shape == (3, 2)
        assert torch.equal(history.final(key), history.curve(key)[-1])
    # For an MSE task the metric is the loss itself.
    assert torch.allclose(history.curve("test_metric"), history.curve("test_loss"))


def test_default_eval_points_are_every_twentieth_of_the_run() -> None:
    history = train_multitask(
        linear_per_task_model(seed=0),
        regression_tasks(seed=0, n=8),
        steps=45,
        generator=torch.Generator().manual_seed(0),
    )
    # 45 // 20 = 2: steps 2, 4, ..., 44, then 45.
    assert history.step == [*range(2, 45, 2), 45]
    short = train_multitask(
        linear_per_task_model(seed=0),
        regression_tasks(seed=0, n=8),
        steps=3,
        generator=torch.Generator().manual_seed(0),
    )
    assert short.step == [1, 2, 3]  # max(1, 3 // 20) = 1


def test_history_without_test_data() -> None:
    history = train_multitask(
        linear_per_task_model(seed=0),
        regression_tasks(seed=0, n=8),
        steps=2,
        generator=torch.Generator().manual_seed(0),
    )
    assert history.test_loss == []
    assert history.test_metric == []
    with pytest.raises(
        ValueError, match=r"history has no 'test_metric' values \(was test data given\?\)"
    ):
        history.final()


def test_history_final_and_curve_by_hand() -> None:
    history = History(("a", "b"), ("mse", "accuracy"))
    history.step.extend([1, 2])
    history.train_loss.extend([[4.0, 3.0], [2.0, 1.0]])
    assert history.final("train_loss").tolist() == [2.0, 1.0]
    assert history.curve("train_loss").tolist() == [[4.0, 3.0], [2.0, 1.0]]


def test_metric_names_follow_each_tasks_loss() -> None:
    x = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))
    tasks = [
        TaskData("regression", x, x.sum(dim=1), "mse"),
        TaskData("sign", x, (x[:, 0] > 0).float(), "bce"),
    ]
    history = train_multitask(
        linear_per_task_model(seed=0),
        tasks,
        steps=2,
        generator=torch.Generator().manual_seed(0),
        test=tasks,
    )
    assert history.metric_names == ("mse", "accuracy")
    accuracy = history.final()[1]
    assert 0.0 <= float(accuracy) <= 1.0
    assert float(accuracy * 12) == round(float(accuracy * 12))  # a count out of 12


def test_objective_is_the_weighted_sum_of_task_losses() -> None:
    tasks = regression_tasks(seed=0, n=10)
    model = linear_per_task_model(seed=2)
    initial, _ = evaluate(model, tasks)
    weights = torch.tensor([2.0, 0.5])
    # batch_size >= n: the first step sees every row, so its losses are the full-data losses.
    history = train_multitask(
        model,
        tasks,
        steps=1,
        generator=torch.Generator().manual_seed(0),
        batch_size=10,
        task_weights=weights,
    )
    expected = float(2.0 * initial[0] + 0.5 * initial[1])
    assert math.isclose(history.objective[0], expected, rel_tol=1e-5)


def test_a_zero_task_weight_leaves_that_tasks_own_model_unchanged() -> None:
    model = linear_per_task_model(seed=0)
    before = parameters_of(model.models[1])
    train_multitask(
        model,
        regression_tasks(seed=0, n=10),
        steps=5,
        generator=torch.Generator().manual_seed(0),
        task_weights=torch.tensor([1.0, 0.0]),
    )
    after = parameters_of(model.models[1])
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_custom_sampler_decides_which_tasks_train() -> None:
    model = linear_per_task_model(seed=0)
    before = parameters_of(model)

    def only_task_0(generator: torch.Generator) -> list[tuple[int, torch.Tensor]]:
        return [(0, torch.randperm(10, generator=generator)[:4])]

    train_multitask(
        model,
        regression_tasks(seed=0, n=10),
        steps=3,
        generator=torch.Generator().manual_seed(0),
        sampler=only_task_0,
    )
    after = parameters_of(model)
    # models.0 (weight, bias) moved; models.1 received no gradient at all.
    assert not torch.equal(before[0], after[0])
    assert torch.equal(before[2], after[2])
    assert torch.equal(before[3], after[3])


# ---------------------------------------------------------------- the backward hook


def test_a_hook_that_fills_zero_gradients_changes_nothing() -> None:
    model = linear_per_task_model(seed=0)
    before = parameters_of(model)
    calls = []

    def zero_backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        calls.append((tuple(losses.shape), list(indices)))
        for parameter in model.parameters():
            parameter.grad = torch.zeros_like(parameter)
        return torch.tensor(7.0)

    history = train_multitask(
        model,
        regression_tasks(seed=0, n=10),
        steps=4,
        generator=torch.Generator().manual_seed(0),
        backward=zero_backward,
    )
    assert calls == [((2,), [0, 1])] * 4
    assert history.objective == [7.0] * 4  # the hook's return value is what is recorded
    assert all(torch.equal(a, b) for a, b in zip(before, parameters_of(model), strict=True))


def test_a_hook_returning_none_records_the_sum_of_losses() -> None:
    tasks = regression_tasks(seed=0, n=10)
    model = linear_per_task_model(seed=0)
    initial, _ = evaluate(model, tasks)

    def plain_backward(losses: torch.Tensor, indices: list[int]) -> None:
        losses.sum().backward()

    history = train_multitask(
        model,
        tasks,
        steps=1,
        generator=torch.Generator().manual_seed(0),
        batch_size=10,
        backward=plain_backward,
    )
    assert math.isclose(history.objective[0], float(initial.sum()), rel_tol=1e-5)


def test_a_hook_doing_the_default_backward_reproduces_the_default_run() -> None:
    weights = torch.tensor([1.0, 3.0])

    def weighted_backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        objective = (weights[indices] * losses).sum()
        objective.backward()
        return objective

    histories = [
        train_multitask(
            linear_per_task_model(seed=0),
            regression_tasks(seed=0, n=10),
            steps=6,
            generator=torch.Generator().manual_seed(0),
            task_weights=weights,
            backward=hook,
        )
        for hook in (None, weighted_backward)
    ]
    assert histories[0] == histories[1]


# ---------------------------------------------------------------- bad input


def train_briefly(**overrides: object) -> History:
    arguments: dict[str, object] = {
        "steps": 2,
        "generator": torch.Generator().manual_seed(0),
    }
    arguments.update(overrides)
    return train_multitask(
        linear_per_task_model(seed=0), regression_tasks(seed=0, n=6), **arguments
    )


def test_rejects_test_tasks_that_do_not_match() -> None:
    swapped = list(reversed(regression_tasks(seed=1, n=4)))
    with pytest.raises(
        ValueError,
        match=r"test tasks must match train tasks in order, got \('task_1', 'task_0'\) and "
        r"\('task_0', 'task_1'\)",
    ):
        train_briefly(test=swapped)
    with pytest.raises(ValueError, match=r"got \('task_0',\) and \('task_0', 'task_1'\)"):
        train_briefly(test=regression_tasks(seed=1, n=4)[:1])


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        (
            torch.ones(3),
            ValueError,
            r"task_weights must have one weight per task \(2\), got shape \(3,\)",
        ),
        (torch.tensor([1.0, -1.0]), ValueError, r"task_weights must be non-negative, got -1.0"),
        (
            torch.tensor([math.nan, 1.0]),
            ValueError,
            r"task_weights must be finite, got nan at index \(0,\)",
        ),
        (
            torch.tensor([math.inf, 1.0]),
            ValueError,
            r"task_weights must be finite, got inf at index \(0,\)",
        ),
        (torch.tensor([1, 1]), TypeError, r"task_weights must have a floating dtype"),
        (torch.ones(2, 1), ValueError, r"task_weights must have 1 dimension\(s\)"),
    ],
)
def test_rejects_bad_task_weights(weights: torch.Tensor, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        train_briefly(task_weights=weights)


def test_rejects_bad_steps_lr_and_eval_every() -> None:
    with pytest.raises(ValueError, match=r"steps must be at least 1, got 0"):
        train_briefly(steps=0)
    with pytest.raises(TypeError, match=r"steps must be an int, got float 10.0"):
        train_briefly(steps=10.0)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0.1"):
        train_briefly(lr=-0.1)
    with pytest.raises(ValueError, match=r"eval_every must be at least 1, got -1"):
        train_briefly(eval_every=-1)
    with pytest.raises(ValueError, match=r"batch_size must be at least 1, got 0"):
        train_briefly(batch_size=0)


def test_rejects_eval_every_zero() -> None:
    with pytest.raises(ValueError, match=r"eval_every must be at least 1, got 0"):
        train_briefly(eval_every=0)


def test_rejects_duplicate_task_names() -> None:
    task = regression_tasks(seed=0, n=4)[0]
    with pytest.raises(ValueError, match=r"task names must be distinct"):
        train_multitask(
            linear_per_task_model(seed=0), [task, task], steps=1, generator=torch.Generator()
        )


def test_a_progress_bar_changes_nothing_but_the_display(capsys: pytest.CaptureFixture[str]) -> None:
    def run(progress: bool) -> list[float]:
        torch.manual_seed(0)
        model = PooledModel(nn.Linear(2, 1))
        x = torch.arange(8.0).reshape(4, 2)
        task = TaskData("line", x, x.sum(dim=1), "mse")
        history = train_multitask(
            model, [task], steps=5, generator=torch.Generator().manual_seed(0), progress=progress
        )
        return history.objective

    assert run(progress=True) == run(progress=False)
    assert "training" in capsys.readouterr().err


def test_refuses_no_tasks_a_missing_generator_and_negative_weight_decay() -> None:
    model = PooledModel(nn.Linear(2, 1))
    task = TaskData("line", torch.zeros(4, 2), torch.zeros(4), "mse")
    with pytest.raises(ValueError, match="train must hold one TaskData per task, got an empty"):
        train_multitask(model, [], steps=1, generator=torch.Generator())
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator .* got NoneType"):
        train_multitask(model, [task], steps=1, generator=None)
    with pytest.raises(ValueError, match="weight_decay must be a finite number ≥ 0, got -1"):
        train_multitask(model, [task], steps=1, generator=torch.Generator(), weight_decay=-1)


def test_a_model_that_does_not_fit_a_task_is_named_before_training() -> None:
    model = PooledModel(nn.Linear(2, 1))
    wide = TaskData("wide", torch.zeros(4, 5), torch.zeros(4), "mse")
    with pytest.raises(
        ValueError, match=r"model\(x, 0\) fails on train task 'wide' with x of shape"
    ):
        train_multitask(model, [wide], steps=1, generator=torch.Generator())


def test_a_sampler_naming_a_missing_task_is_refused() -> None:
    model = PooledModel(nn.Linear(2, 1))
    task = TaskData("line", torch.zeros(4, 2), torch.zeros(4), "mse")
    with pytest.raises(ValueError, match=r"task indices in 0\.\.0, got task indices \[5\]"):
        train_multitask(
            model,
            [task],
            steps=1,
            generator=torch.Generator(),
            sampler=lambda generator: [(5, torch.tensor([0]))],
        )


def test_a_non_finite_objective_stops_training_with_the_step_named() -> None:
    model = PooledModel(nn.Linear(2, 1))
    task = TaskData("line", torch.ones(4, 2), torch.ones(4), "mse")

    def broken_backward(losses: torch.Tensor, tasks: list[int]) -> torch.Tensor:
        return losses.sum() * math.nan

    with pytest.raises(
        ValueError,
        match=r"the objective became nan at step 1 \(losses by task: 'line' [\d.]+\); training has "
        r"probably diverged: try a lower lr than 0\.01, or check the backward hook",
    ):
        train_multitask(
            model, [task], steps=3, generator=torch.Generator(), backward=broken_backward
        )


def test_a_diverging_run_names_each_task_and_the_learning_rate() -> None:
    # Targets of 1e30: the squared error overflows float32 at the first step.
    a = TaskData("a", torch.ones(4, 2), torch.full((4,), 1e30), "mse")
    b = TaskData("b", torch.ones(4, 2), torch.zeros(4), "mse")
    with pytest.raises(
        ValueError,
        match=r"the objective became inf at step 1 \(losses by task: 'a' inf, 'b' [\d.e-]+\); "
        r"training has probably diverged: try a lower lr than 0\.01$",
    ):
        train_multitask(PooledModel(nn.Linear(2, 1)), [a, b], steps=3, generator=torch.Generator())


def test_a_class_beyond_the_models_logits_is_named_before_training() -> None:
    model = PooledModel(nn.Linear(2, 3))
    task = TaskData("digits", torch.zeros(4, 2), torch.tensor([0, 1, 2, 7]), "cross_entropy")
    with pytest.raises(ValueError, match=r"train task 'digits' has class 7 but the model gives 3"):
        train_multitask(model, [task], steps=1, generator=torch.Generator())


# ---------------------------------------------------------------- bad input, named early


def test_samplers_refuse_float_sizes_rather_than_truncating_them() -> None:
    with pytest.raises(TypeError, match=r"sizes must hold ints, got float 3\.5 at index 0"):
        every_task_sampler([3.5], 2)
    with pytest.raises(TypeError, match=r"sizes must hold ints, got float 4\.0 at index 1"):
        task_subset_sampler([4, 4.0], tasks_per_step=1, batch_size=2)
    with pytest.raises(TypeError, match=r"sizes must have an integer dtype, got torch\.float32"):
        every_task_sampler(torch.tensor([3.0]), 2)
    with pytest.raises(TypeError, match=r"sizes must be a list of ints .*got int 5"):
        every_task_sampler(5, 2)
    # An integer tensor of sizes is fine, as in mtl_helpers.sampling.
    plan = every_task_sampler(torch.tensor([3, 5]), 2)(torch.Generator().manual_seed(0))
    assert [(task, len(rows)) for task, rows in plan] == [(0, 2), (1, 2)]


def one_line_task() -> TaskData:
    return TaskData("line", torch.ones(4, 2), torch.ones(4), "mse")


@pytest.mark.parametrize(
    ("plan", "error", "message"),
    [
        (
            [(0, torch.tensor([], dtype=torch.long))],
            ValueError,
            r"sampler must return at least one row, got none at step 1 for task 0 \('line'\)",
        ),
        (
            [(0, torch.tensor([99]))],
            ValueError,
            r"sampler must return rows in 0\.\.3 \(the task's 4 examples\), got rows from 99 to "
            r"99 at step 1 for task 0 \('line'\)",
        ),
        (
            [(0, torch.tensor([-1, 2]))],
            ValueError,
            r"rows in 0\.\.3 .*got rows from -1 to 2 at step 1",
        ),
        (
            [(0, torch.tensor([0.0, 1.0]))],
            TypeError,
            r"sampler must return rows as a 1-D integer tensor of row indices, got shape \(2,\) "
            r"and dtype torch\.float32 at step 1 for task 0 \('line'\)",
        ),
        (
            [(0, torch.tensor([[0, 1]]))],
            TypeError,
            r"1-D integer tensor of row indices, got shape \(1, 2\) and dtype torch\.int64",
        ),
        (
            [(0, [0, 1])],
            TypeError,
            r"sampler must return rows as a torch\.Tensor, got list \[0, 1\] at step 1",
        ),
        ([], ValueError, r"sampler must return a non-empty list of \(task index, rows\) pairs"),
        (
            [(0.0, torch.tensor([0]))],
            TypeError,
            r"sampler must return int task indices, got float 0\.0 at step 1",
        ),
        ([0], TypeError, r"sampler must return \(task index, rows\) pairs, got 0 at step 1"),
    ],
)
def test_a_bad_plan_is_named_with_the_step_and_task(plan: list, error: type, message: str) -> None:
    model = PooledModel(nn.Linear(2, 1))
    with pytest.raises(error, match=message):
        train_multitask(
            model, [one_line_task()], steps=2, generator=torch.Generator(), sampler=lambda g: plan
        )


def test_divergence_names_the_task_the_step_and_suggests_a_lower_lr() -> None:
    torch.manual_seed(0)
    model = PooledModel(nn.Linear(2, 1))
    with pytest.raises(
        ValueError,
        match=r"evaluating the train tasks after step 1 failed on task 'line' \(task 0\): .*must "
        r"be finite, got inf.*; training has probably diverged: try a lower lr than 1e\+30",
    ):
        train_multitask(model, [one_line_task()], steps=2, lr=1e30, generator=torch.Generator())


def test_evaluate_names_the_task_whose_predictions_are_not_finite() -> None:
    model = PooledModel(nn.Linear(2, 1))
    with torch.no_grad():
        model.net.weight.fill_(math.inf)
    with pytest.raises(
        ValueError, match=r"on task 'line' \(task 0\): prediction must be finite, got inf"
    ):
        evaluate(model, [one_line_task()])


@pytest.mark.parametrize(
    ("result", "error", "message"),
    [
        (
            lambda losses: losses * 1.0,
            ValueError,
            r"the result of backward hook .*hook \(or None\) must be a scalar "
            r"\(0-dimensional\) tensor, got shape \(1,\)",
        ),
        (
            lambda losses: 1.0,
            TypeError,
            r"the result of backward hook .*hook \(or None\) must be a scalar tensor, "
            r"got float 1\.0",
        ),
        (
            lambda losses: torch.tensor(1),
            TypeError,
            r"the result of backward hook .*hook \(or None\) must be a floating tensor, "
            r"got dtype torch\.int64",
        ),
    ],
)
def test_a_backward_hook_must_return_a_scalar_tensor(result, error: type, message: str) -> None:
    def hook(losses: torch.Tensor, tasks: list[int]) -> torch.Tensor:
        losses.sum().backward()
        return result(losses.detach())

    with pytest.raises(error, match=message):
        train_multitask(
            PooledModel(nn.Linear(2, 1)),
            [one_line_task()],
            steps=1,
            generator=torch.Generator(),
            backward=hook,
        )


def test_a_single_task_data_instead_of_a_list_is_named() -> None:
    model = PooledModel(nn.Linear(2, 1))
    task = one_line_task()
    with pytest.raises(
        TypeError,
        match=r"train must be a list of TaskData, one per task, got a single TaskData 'line'; "
        r"wrap it in a list for one task",
    ):
        train_multitask(model, task, steps=1, generator=torch.Generator())
    with pytest.raises(TypeError, match=r"test must be a list of TaskData, .*single TaskData"):
        train_multitask(model, [task], steps=1, generator=torch.Generator(), test=task)
    with pytest.raises(TypeError, match=r"tasks must be a list of TaskData, .*single TaskData"):
        evaluate(model, task)
    with pytest.raises(TypeError, match=r"tasks must hold TaskData entries, got str at index 1"):
        evaluate(model, [task, "line"])
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module, got str"):
        evaluate("model", [task])


def test_a_prediction_of_the_wrong_shape_names_the_model_and_the_task() -> None:
    model = PooledModel(nn.Linear(2, 2))
    with pytest.raises(
        ValueError,
        match=r"model PooledModel does not fit train task 'line' \(task 0, loss 'mse'\): on one "
        r"example it gives a prediction of shape \(1, 2\): for loss 'mse', prediction and target "
        r"must both have shape \(n,\), got \(1, 2\) and \(1,\)",
    ):
        train_multitask(model, [one_line_task()], steps=1, generator=torch.Generator())


def test_hard_sharing_with_one_output_heads_fits_regression_tasks() -> None:
    generator = torch.Generator().manual_seed(0)
    tasks = regression_tasks(seed=0, n=8)
    torch.manual_seed(0)
    model = HardSharing(3, [4], [1, 1])
    history = train_multitask(model, tasks, steps=2, generator=generator)
    assert history.step == [1, 2]
    assert history.final("train_loss").shape == (2,)


@pytest.mark.parametrize(
    ("weight_decay", "error", "message"),
    [
        (math.nan, ValueError, r"weight_decay must be a finite number ≥ 0, got nan"),
        (math.inf, ValueError, r"weight_decay must be a finite number ≥ 0, got inf"),
        ("a", TypeError, r"weight_decay must be a number, got str 'a'"),
        (None, TypeError, r"weight_decay must be a number, got NoneType None"),
    ],
)
def test_rejects_bad_weight_decay(weight_decay: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        train_briefly(weight_decay=weight_decay)


def test_history_names_the_valid_keys() -> None:
    history = History(("a",), ("mse",), step=[1], train_loss=[[0.5]])
    expected = r"unknown key 'bogus'; expected one of: 'train_loss', 'test_loss', 'test_metric'"
    with pytest.raises(ValueError, match=expected):
        history.final("bogus")
    with pytest.raises(ValueError, match=expected):
        history.curve("bogus")
    assert history.final("train_loss").tolist() == [0.5]
