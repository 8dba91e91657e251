# %% [markdown]
# # 08 · Soft parameter sharing
#
# Hard sharing gives all tasks the same parameters; independent training gives each task its
# own. Soft sharing sits between: every task keeps its own network θ_i, and a penalty pulls the
# networks towards each other. This notebook sweeps the strength λ of that pull on real data,
# from independent networks to effectively one shared network, chooses λ on held-out
# validation students, and measures what soft sharing costs in memory.
#
# ## Learning goals
# - Write the soft-sharing objective Σ_i L_i(θ_i) + λ Σ_{i<j} ‖θ_i − θ_j‖² and say why the
#   norm is squared.
# - Show on real data that λ = 0 is independent training and a large λ one shared network.
# - Choose λ on a validation split, report its test error, and relate it to the distance
#   between the networks.
# - Measure the memory cost of soft sharing against hard sharing, in bytes.
#
# ## Before you start
# Notebook 02 (the training loop and its `backward` hook) and notebook 07 (negative transfer:
# why sharing everything can hurt).

# %%
import copy

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from mtl_helpers.data import load_schools, split_by_task, split_indices
from mtl_helpers.exercises import nb08
from mtl_helpers.models import PerTaskModels, PooledModel, mlp
from mtl_helpers.reproducibility import setup
from mtl_helpers.soft_sharing import (
    adam_state_bytes,
    mean_pairwise_distance,
    parameter_bytes,
    plot_lambda_sweep,
    soft_sharing_backward,
    soft_sharing_penalty,
)
from mtl_helpers.tasks import TaskData
from mtl_helpers.training import evaluate, train_multitask
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)  # seeds, one thread, deterministic kernels, figure defaults

# %% [markdown]
# ## 1. The penalty
#
# With one network per task, soft sharing trains
#
# $$\sum_i \mathcal{L}_i(\theta_i) + \lambda \sum_{i<j} \lVert \theta_i - \theta_j \rVert^2 .$$
#
# Finn (2022) writes the penalty with the plain norm; we use its square. The square is smooth: its
# gradient with respect to θ_i is 2λ Σ_j (θ_i − θ_j), which shrinks as the networks meet, so they
# can settle close together. The plain norm has a gradient of constant length λ wherever θ_i ≠ θ_j
# and none at θ_i = θ_j, so gradient steps jitter around the meeting point. The square also makes
# the penalty a Gaussian prior that ties every θ_i to a common mean.
#
# `soft_sharing_penalty(models, lam)` adds ‖θ_i − θ_j‖² over all pairs and all parameters.
# A hand check with three one-weight networks θ = 0, 1, 3: the pairs give 1 + 9 + 4 = 14.


# %%
def one_weight(value: float) -> nn.Module:
    layer = nn.Linear(1, 1, bias=False)
    nn.init.constant_(layer.weight, value)
    return layer


penalty = soft_sharing_penalty([one_weight(0.0), one_weight(1.0), one_weight(3.0)], lam=1.0)
print(f"penalty with λ = 1: {float(penalty.detach()):.4g}")
assert torch.isclose(penalty.detach(), torch.tensor(14.0))

# %% [markdown]
# ## 2. A real task family: six London schools
#
# Each school is a task: predict a student's exam score from their reading score at intake and
# their sex (notebook 01). We take six schools with 40 to 80 students and keep half of each
# school's students for testing. λ must be chosen without looking at the test students, so a
# third of each school's remaining students form a *validation* set; the networks learn from
# the other two thirds. Each task's network is a small MLP, 2 → 8 → 1.

# %%
schools = load_schools()
chosen = [s for s in range(schools.n_tasks) if 40 <= int(schools.sizes[s]) <= 80][:6]
train_tasks, val_tasks, test_tasks = [], [], []
for school in chosen:
    x, y = schools.task(school)
    train_rows, test_rows = split_by_task(torch.zeros(len(y), dtype=torch.int64), 0.5, generator)
    fit_part, val_part = split_indices(len(train_rows), 1 / 3, generator)
    fit_rows, val_rows = train_rows[fit_part], train_rows[val_part]
    name = f"school {school}"
    train_tasks.append(TaskData(name, x[fit_rows], y[fit_rows], "mse"))
    val_tasks.append(TaskData(name, x[val_rows], y[val_rows], "mse"))
    test_tasks.append(TaskData(name, x[test_rows], y[test_rows], "mse"))
task_names = [t.name for t in train_tasks]
for label, tasks in (("training", train_tasks), ("validation", val_tasks), ("test", test_tasks)):
    print(f"{label:>10} students per school: {[len(t) for t in tasks]}")

# %% [markdown]
# ## 3. Sweeping λ
#
# For each λ we start the six networks as copies of one random network, train them for 150
# full-batch Adam steps with the penalty added through the `backward` hook of
# `train_multitask`, and record each school's error on its training, validation and test
# students and the mean distance ‖θ_i − θ_j‖ between the trained networks. A pooled network
# (one MLP for all schools) is the hard-sharing end. We pick the λ with the lowest mean
# validation error and only then read the test error at that λ.

# %%
lams = [0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 10.0]


torch.manual_seed(0)
initial_net = mlp(2, [8], 1)  # every task's network and the pooled one start from this


def make_net(task: int) -> nn.Module:
    return copy.deepcopy(initial_net)


# The same training for every run: 150 full-batch Adam steps, batches drawn with seed 1.
training = {"steps": 150, "lr": 1e-2, "batch_size": 100, "eval_every": 150}
train_errors, val_errors, test_errors, distances = [], [], [], []
for lam in lams:
    model = PerTaskModels(make_net, len(train_tasks))
    train_multitask(
        model,
        train_tasks,
        generator=torch.Generator().manual_seed(1),
        backward=soft_sharing_backward(model.models, lam),
        **training,
    )
    train_errors.append(evaluate(model, train_tasks)[0])
    val_errors.append(evaluate(model, val_tasks)[0])
    test_errors.append(evaluate(model, test_tasks)[0])
    distances.append(mean_pairwise_distance(model.models))
train_errors, val_errors, test_errors = (
    torch.stack(e) for e in (train_errors, val_errors, test_errors)
)  # each (L, T)

pooled = PooledModel(copy.deepcopy(initial_net))
train_multitask(pooled, train_tasks, generator=torch.Generator().manual_seed(1), **training)
pooled_train = evaluate(pooled, train_tasks)[0].mean()
pooled_error = evaluate(pooled, test_tasks)[0].mean()

mean_train, mean_val, mean_test = (e.mean(dim=1) for e in (train_errors, val_errors, test_errors))
print("λ        train MSE  val MSE  test MSE  test − train  distance")
for k, lam in enumerate(lams):
    print(
        f"{lam:<8g} {float(mean_train[k]):<10.4g} {float(mean_val[k]):<8.4g} "
        f"{float(mean_test[k]):<9.4g} {float(mean_test[k] - mean_train[k]):<13.4g} "
        f"{distances[k]:.4g}"
    )
print(f"pooled   {float(pooled_train):<10.4g} {'':<8} {float(pooled_error):.4g}")
order = mean_val.argsort()
best, runner_up = int(order[0]), int(order[1])
print(
    f"λ chosen on validation: {lams[best]:g}, its test MSE {float(mean_test[best]):.4g}, "
    f"{float(mean_test[0] - mean_test[best]):.4g} below λ = 0 and "
    f"{float(pooled_error - mean_test[best]):.4g} below the pooled network"
)
print(
    f"runner-up on validation: λ = {lams[runner_up]:g}, validation MSE higher by "
    f"{float(mean_val[runner_up] - mean_val[best]):.4g}, test MSE higher by "
    f"{float(mean_test[runner_up] - mean_test[best]):.4g}"
)
print(
    f"distance at the chosen λ: {distances[best] / distances[0]:.4g} × that at λ = 0, "
    f"{distances[best] / distances[-1]:.4g} × that at λ = {lams[-1]:g}"
)
assert distances[-1] < 0.05 * distances[0]  # a large λ pulls the networks together
# ... and then they behave like the pooled network
assert abs(mean_test[-1] - pooled_error) < abs(mean_test[0] - pooled_error)
assert mean_test[0] - mean_train[0] > 0.2  # independent networks overfit their students
assert (mean_train[1:].diff() > 0).all()  # from λ = 0.01 on, training error rises with λ
assert (mean_test - mean_train).diff().lt(0).all()  # the gap shrinks as λ grows
assert (mean_test[: best + 1].diff() < 0).all()  # test error falls up to the chosen λ
assert mean_test[best] < min(mean_test[0], pooled_error)  # the chosen λ beats both ends
assert best == int(mean_test.argmin())  # here it is also the best λ on the test students

fig = plot_lambda_sweep(
    lams,
    test_errors,
    distances,
    lams[best],
    task_names,
    other_errors={"train MSE": train_errors, "validation MSE": val_errors},
)
plt.show()

# %% [markdown]
# Starting all networks from the same point makes λ the only difference between the runs. At
# λ = 0 the networks are independent and overfit their 17 to 27 students: their mean training
# error, 0.4911, lies 0.2382 below their test error, 0.7294. As λ grows the penalty gives up
# fit to the training students for fit to the others: the training error barely moves at
# λ = 0.01 (0.4904) and then rises at every step to 0.6615 at λ = 10, close to the pooled
# network's 0.6794, and the test-minus-train gap shrinks at every step to 0.03101. The test
# error falls at every step to 0.6644 at λ = 1 and rises again to 0.6925 at λ = 10, near the pooled
# network's 0.7007; there the networks are practically one network, 0.01552 apart against
# 1.947 at λ = 0.
#
# The validation students choose λ = 1, and its test MSE, 0.6644, is 0.06493 below that of
# independent networks and 0.0363 below the pooled network's; on these data it is also the
# lowest test MSE of the sweep. In terms of distance, the chosen networks sit 0.1041 apart:
# 0.05345 times their distance at λ = 0, yet 6.703 times that at λ = 10. The best networks
# are thus neither independent nor one network: each school keeps a small difference of its
# own, and λ sets how large it may be. The choice is fragile, though: with 64 validation
# students, λ = 10 comes second by only 0.0005362 in validation MSE, and it would have cost
# 0.0281 in test MSE. Which λ is best depends on how similar the tasks are (notebook 07).
#
# ## 4. The cost: memory grows with the number of tasks
#
# Soft sharing keeps T full networks, and Adam keeps two more numbers (first and second moment)
# per parameter. Hard sharing keeps one trunk (2 → 8) and T small heads (8 → 1). We measure the
# bytes of the parameters and of Adam's state (`adam_state_bytes` builds the state on a copy
# and adds up its tensors) for growing T.

# %%
task_counts = [1, 2, 4, 8, 16, 32, 64]
memory = {"soft": [], "hard": []}
for n_tasks in task_counts:
    soft = nn.ModuleList(mlp(2, [8], 1) for _ in range(n_tasks))
    hard = nn.ModuleList([nn.Linear(2, 8), *(nn.Linear(8, 1) for _ in range(n_tasks))])
    for kind, module in (("soft", soft), ("hard", hard)):
        memory[kind].append(parameter_bytes(module) + adam_state_bytes(module))
    print(
        f"T = {n_tasks:>2}: soft {memory['soft'][-1]:>6} bytes, hard {memory['hard'][-1]:>6} "
        f"bytes, ratio {memory['soft'][-1] / memory['hard'][-1]:.4g}"
    )

fig, ax = plt.subplots(layout="constrained")
for kind in memory:
    ax.plot(task_counts, memory[kind], marker="o", label=f"{kind} sharing")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("number of tasks T (log scale)")
ax.set_ylabel("parameters + Adam state (bytes)")
ax.set_title("Memory of soft versus hard sharing")
ax.legend()
plt.show()

# %% [markdown]
# Both grow linearly in T, but soft sharing grows by a whole network per task and hard sharing
# by a head. Here the trunk is tiny, so the ratio stays below the ratio of network to head
# size; for a real network whose trunk holds almost all the parameters, soft sharing costs
# about T times the memory of hard sharing. The penalty also costs time: it touches every
# parameter of every network at each step.
#
# ## 5. Explore: the λ slider
#
# `explore(lam)` looks up the results of section 3 and shows the sweep (training, validation
# and test error, and distance) with the chosen λ marked, and each school's test error at that
# λ beside its error at λ = 0.


# %%
def explore(lam: float = 0.1) -> plt.Figure:
    """The λ sweep with ``lam`` marked, and per-school test errors at ``lam``."""
    return plot_lambda_sweep(
        lams,
        test_errors,
        distances,
        lam,
        task_names,
        other_errors={"train MSE": train_errors, "validation MSE": val_errors},
    )


fig = explore(0.1)

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(explore, lam=widgets.SelectionSlider(options=lams, value=0.1, description="λ"))

# %% [markdown]
# ## Summary
# - Soft sharing trains one network per task and adds λ Σ_{i<j} ‖θ_i − θ_j‖²; the square keeps
#   the penalty smooth where the networks meet.
# - λ = 0 is independent training, and on the schools it overfits: training MSE 0.4911
#   against test MSE 0.7294. A large λ (10) makes the networks practically identical
#   (distance 0.01552 against 1.947), with a test error (0.6925) near that of one pooled
#   network (0.7007).
# - λ is chosen on validation students carved from the training students, never on the test
#   students. The chosen λ = 1 has test MSE 0.6644, below both ends, with networks 0.1041
#   apart: close, but not identical. Its margin on validation over λ = 10 is only 0.0005362.
# - Memory grows by a full network (and its optimiser state) per task, against one head per
#   task for hard sharing.
#
# ## Exercises
# 1. Compute by hand the penalty with λ = 0.5 for three one-weight networks θ = 1, 2, 4. Give
#    a float.
# 2. Section 3 chose one λ for all six schools. Would each school, on its own validation
#    students, have chosen the same? From `val_errors` (one row per λ, one column per school),
#    count the schools whose lowest validation error is at the chosen λ (index `best`). Give
#    the int.
# 3. How many bytes would the parameters and Adam state of hard sharing take for T = 1000 tasks,
#    with the trunk and heads of section 4? Give the int.

# %%
penalty_answer = None  # a float
print(nb08.check_penalty_by_hand(penalty_answer))

# %%
schools_agreeing = None  # an int from 0 to 6
print(nb08.check_schools_agreeing(schools_agreeing, val_errors, best))

# %%
hard_bytes_1000 = None  # an int
print(nb08.check_hard_bytes(hard_bytes_1000))

# %% [markdown]
# ## References
# - Duong, L., Cohn, T., Bird, S. & Cook, P. (2015). Low resource dependency parsing:
#   cross-lingual parameter sharing in a neural network parser. *ACL*.
# - Evgeniou, T. & Pontil, M. (2004). Regularized multi-task learning. *KDD*.
# - Finn, C. (2022). CS330 Deep Multi-Task and Meta Learning, lecture 2: multi-task learning.
#   Stanford University.
# - Goldstein, H. et al. (1993). A multilevel analysis of school examination results. *Oxford
#   Review of Education*, 19(4).
# - Kingma, D. P. & Ba, J. (2015). Adam: a method for stochastic optimization. *ICLR*.
# - Ruder, S. (2017). An overview of multi-task learning in deep neural networks.
#   arXiv:1706.05098.
