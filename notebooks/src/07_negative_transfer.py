# %% [markdown]
# # 07 · When sharing hurts: negative transfer and gradient surgery
#
# Sharing parameters between tasks is a bet that the tasks want similar things. This notebook
# measures when the bet pays and when it loses (negative transfer), first on a family of
# synthetic tasks whose similarity is a knob, then on real data. It then looks at the cause as
# the optimiser sees it, task gradients that point against each other, and at three ways to
# combine conflicting gradients into one update: PCGrad, MGDA and CAGrad.
#
# ## Learning goals
# - Show that sharing helps similar tasks with little data and hurts dissimilar tasks with
#   enough data, and measure the difference on real data.
# - Measure gradient conflict as the cosine between task gradients.
# - Implement PCGrad, MGDA and CAGrad on the (T, P) matrix of task gradients, and say what
#   each one guarantees.
# - Compare their update directions and trajectories on a two-task landscape, and their test
#   accuracy on a real problem.
#
# ## Before you start
# Notebook 01 (tasks as distributions) and notebook 02 (the multi-task training loop
# `train_multitask` and its `backward` hook). You should know what a gradient and a dot product
# are.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from mtl_helpers.data import load_digits, load_schools, split_by_task, split_indices
from mtl_helpers.exercises import nb07
from mtl_helpers.gradients import (
    cagrad,
    conflict_cosines,
    gradient_backward,
    linear_transfer_gap,
    mean_gradient,
    mgda,
    pcgrad,
    plot_transfer_gap,
    task_gradients,
)
from mtl_helpers.models import HardSharingModel, count_parameters
from mtl_helpers.plotting import plot_gain_by_size, plot_task_bars
from mtl_helpers.reproducibility import setup
from mtl_helpers.tasks import digit_task
from mtl_helpers.training import train_multitask
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)  # seeds, one thread, deterministic kernels, figure defaults


def fmt(values: torch.Tensor) -> str:
    """A vector as text, each entry to 4 significant digits."""
    return "(" + ", ".join(f"{float(v):.4g}" for v in values) + ")"


# %% [markdown]
# ## 1. Negative transfer on a family of tasks with a similarity knob
#
# Two regression tasks share inputs x ~ N(0, I) in 20 dimensions; task i labels them
# y = x·w_i + ε with unit noise. Both true weight vectors have length 1 and the **angle**
# between them is the similarity knob: 0° means the same task, 90° unrelated tasks. The second
# knob is the number n of training examples per task.
#
# We compare the two extremes of sharing: *separate* least-squares fits (one per task) and one
# *shared* fit on the pooled data of both tasks. Because x is isotropic, the test error of a
# fit ŵ on task i is exactly 1 + ‖ŵ − w_i‖², so no test set is needed.
# `linear_transfer_gap` returns the shared-minus-separate test error, averaged over both tasks
# and 60 random draws: negative means sharing helps.

# %%
angles = [0, 15, 30, 45, 60, 75, 90]
sizes = [30, 40, 60, 100, 200, 400]
gaps = linear_transfer_gap(angles, sizes, generator, dim=20, noise=1.0, repeats=60)

fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
limit = float(gaps.abs().max())
image = ax.imshow(gaps.tolist(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
ax.set_xticks(range(len(sizes)), [str(n) for n in sizes])
ax.set_yticks(range(len(angles)), [f"{a}°" for a in angles])
ax.set_xlabel("training examples per task n")
ax.set_ylabel("angle between the tasks' weights")
ax.set_title("Shared − separate test MSE (red: sharing hurts)")
ax.grid(False)
fig.colorbar(image, ax=ax, label="difference in test MSE")
plt.show()

print(f"similar tasks (0°), n = 30:     shared − separate = {float(gaps[0, 0]):.4g}")
print(f"unrelated tasks (90°), n = 30:  shared − separate = {float(gaps[-1, 0]):.4g}")
print(f"similar tasks (0°), n = 400:    shared − separate = {float(gaps[0, -1]):.4g}")
print(f"unrelated tasks (90°), n = 400: shared − separate = {float(gaps[-1, -1]):.4g}")
assert gaps[:, 0].max() < 0  # with 30 examples sharing helps at every angle
assert gaps[-1, -1] > 0  # with 400 examples, unrelated tasks lose by sharing

# %% [markdown]
# With 30 examples for 20 weights a separate fit overfits badly (its error grows like
# 20 / (n − 21)), and even a biased shared fit is better. With 400 examples the separate fits
# are accurate, and the shared fit pays its bias, ‖w_1 − w_2‖² / 4 = (1 − cos angle) / 2 per
# task, which is 0.5 at 90°: the measured gap above comes close. Sharing is a trade of variance
# for bias; it pays when the tasks are similar or the data are few.
#
# ## 2. A real case: pooling the London schools
#
# The schools data (notebook 01) hold 65 schools, one task each: predict a student's exam
# score from their intake reading score and sex. The *separate* model fits a small ridge
# regression per school (ridge 1 keeps tiny schools solvable); the *shared* model pools all
# schools into one regression. We measure the test error of both on each school's held-out
# students.

# %%
schools = load_schools()
train_idx, test_idx = split_by_task(schools.school, 0.3, generator)


def design(rows: torch.Tensor) -> torch.Tensor:
    """Intercept, reading score and sex: (n, 3)."""
    return torch.cat([torch.ones(len(rows), 1), schools.x[rows]], dim=1)


def ridge_fit(x: torch.Tensor, y: torch.Tensor, ridge: float) -> torch.Tensor:
    """Solve (XᵀX + ridge·I) w = Xᵀy: (3,)."""
    return torch.linalg.solve(x.T @ x + ridge * torch.eye(x.shape[1]), x.T @ y)


shared_w = ridge_fit(design(train_idx), schools.y[train_idx], ridge=1e-6)
school_gap, school_size = [], []
for school in range(schools.n_tasks):
    train_rows = train_idx[schools.school[train_idx] == school]
    test_rows = test_idx[schools.school[test_idx] == school]
    separate_w = ridge_fit(design(train_rows), schools.y[train_rows], ridge=1.0)
    errors = [
        ((design(test_rows) @ w - schools.y[test_rows]) ** 2).mean() for w in (shared_w, separate_w)
    ]
    school_gap.append(float(errors[0] - errors[1]))
    school_size.append(len(train_rows))
school_gap, school_size = torch.tensor(school_gap), torch.tensor(school_size)
small = school_size <= school_size.median()
print(f"schools where sharing helps: {int((school_gap < 0).sum())} of {schools.n_tasks}")
print(f"  among the 50% smallest: {float((school_gap[small] < 0).float().mean()):.4g}")
print(f"  among the 50% largest:  {float((school_gap[~small] < 0).float().mean()):.4g}")
print(f"mean shared − separate test MSE: {float(school_gap.mean()):.4g}")

plot_gain_by_size(
    school_size,
    school_gap,
    "shared − separate test MSE",
    "Pooling the schools: negative transfer for most of them",
)
plt.show()

# %% [markdown]
# Schools differ in their average score, which one pooled regression cannot express: for
# most schools sharing everything hurts, and it hurts the large schools more often than the
# small ones, whose own data are too few to fit even three numbers well. Negative transfer is
# real, and it depends on both knobs of section 1: how different the tasks are and how much
# data each has. Notebook 08 shows a middle way between these two extremes.
#
# ## 3. Why: task gradients that conflict
#
# During training, the shared parameters receive one gradient per task, g_i = ∇L_i. If
# g_1·g_2 < 0, a step that lowers L_1 raises L_2 to first order: the tasks *conflict*. The
# cosine g_1·g_2 / (‖g_1‖‖g_2‖) measures it on a scale from −1 to 1.
# `task_gradients(losses, params)` stacks the gradients into a (T, P) matrix and
# `conflict_cosines(grads)` returns the (T, T) cosines. We train the shared linear model of
# section 1 (n = 400) by gradient descent and watch the cosine.


# %%
def cosine_during_training(angle: float, steps: int = 60, lr: float = 0.1) -> list[float]:
    """Train one shared linear model on two tasks; the cosine of their gradients per step."""
    truths = torch.zeros(2, 20)
    truths[0, 0] = 1.0
    truths[1, 0] = torch.cos(torch.tensor(angle).deg2rad())
    truths[1, 1] = torch.sin(torch.tensor(angle).deg2rad())
    x = torch.randn(2, 400, 20, generator=generator)
    y = (x @ truths[:, :, None]).squeeze(-1) + torch.randn(2, 400, generator=generator)
    weights = torch.zeros(20, requires_grad=True)
    cosines = []
    for _ in range(steps):
        losses = ((x @ weights - y) ** 2).mean(dim=1)  # (2,)
        grads = task_gradients(losses, [weights])  # (2, 20)
        cosines.append(float(conflict_cosines(grads)[0, 1]))
        with torch.no_grad():
            weights -= lr * grads.sum(dim=0)
    return cosines


fig, ax = plt.subplots(layout="constrained")
curves = {}
for angle in (0, 45, 90):
    curves[angle] = curve = cosine_during_training(angle)
    ax.plot(curve, label=f"angle {angle}°")
    print(f"angle {angle:>2}°: cosine at step 1 = {curve[0]:.4g}, after 60 steps = {curve[-1]:.4g}")
assert curves[0][0] > curves[45][0] > curves[90][0]  # early cosines order the tasks
assert all(curve[-1] < -0.99 for curve in curves.values())  # the end says nothing about them
ax.axhline(0.0, color="k", linewidth=0.8)
ax.set_xlabel("gradient step")
ax.set_ylabel("cosine(g_1, g_2)")
ax.set_title("Task gradients of a shared model turn against each other")
ax.legend()
plt.show()

# %% [markdown]
# At the start both tasks pull the weights away from 0, and their gradients agree about as
# much as the tasks do (cosine near cos 0° = 1, cos 45° ≈ 0.71, cos 90° = 0). As the shared
# weights approach the compromise between the tasks, each task pulls back towards its own
# optimum and the gradients turn opposite (cosine near −1). At the compromise the summed
# gradient is zero although neither task is at its own optimum.
#
# The end of the curves must not be read as a measure of conflict. At any stationary point of
# L_1 + L_2 the summed gradient is zero, g_1 + g_2 = 0, so g_1 = −g_2 and the cosine is exactly
# −1 whenever the two gradients are not themselves zero, whatever the tasks are. The 0° curve
# shows it: its two tasks have the same true weights and differ only in their noise and their
# 400 samples, yet it ends at −1 like the others, because the shared fit of two noisy samples
# cannot be the least-squares fit of each. Only the early cosines, taken while the summed
# gradient is still large, say how different the tasks are.
#
# ## 4. Three ways to combine conflicting gradients
#
# Each method maps the (T, P) matrix G of task gradients to one direction d; a step goes along
# −d. All three need only the T×T inner products G Gᵀ, which `mtl_helpers.gradients` uses to
# stay fast when P is large.
#
# - **PCGrad** (Yu et al., 2020): for each task i, whenever g_i conflicts with another task's
#   gradient g_j, remove from g_i its component along g_j,
#   g_i ← g_i − (g_i·g_j / ‖g_j‖²) g_j, visiting the other tasks in random order; then sum.
#   With two tasks, neither projected gradient conflicts with the other task.
# - **MGDA** (Désidéri, 2012; Sener & Koltun, 2018): d is the shortest vector in the convex
#   hull of the gradients, d = Σ w_i g_i with w ≥ 0, Σ w_i = 1. Then g_i·d ≥ ‖d‖² for every
#   task, so a small step lowers *every* loss; d = 0 means no such step exists
#   (Pareto-stationary). For two tasks w_1 = clip((‖g_2‖² − g_1·g_2) / ‖g_1 − g_2‖², 0, 1).
#   For more tasks `mgda` finds the weights exactly with Wolfe's (1976) nearest-point
#   algorithm, which grows and shrinks a set of gradients whose affine hull holds the answer.
# - **CAGrad** (Liu et al., 2021): stay within a ball of radius c‖g_0‖ around the mean
#   gradient g_0 and, inside it, maximise the worst task's improvement min_i g_i·d. c = 0 is
#   plain averaging; larger c leans towards the worst-off task.
#
# A hand-worked case: g_1 = (1, 0) and g_2 = (−1, 1) conflict (g_1·g_2 = −1). PCGrad projects
# g_1 to (0.5, 0.5) and g_2 to (0, 1): sum (0.5, 1.5). MGDA has w_1 = (2 + 1) / 5 = 0.6:
# d = (0.2, 0.4).

# %%
grads = torch.tensor([[1.0, 0.0], [-1.0, 1.0]])
directions = {
    "mean": mean_gradient(grads),
    "PCGrad": pcgrad(grads),
    "MGDA": mgda(grads),
    "CAGrad c=0.5": cagrad(grads, c=0.5),
}
for name, d in directions.items():
    print(f"{name:>12}: d = {fmt(d)}, g_i·d = {fmt(grads @ d)}")
assert torch.allclose(directions["PCGrad"], torch.tensor([0.5, 1.5]))
assert torch.allclose(directions["MGDA"], torch.tensor([0.2, 0.4]))
assert ((grads @ directions["MGDA"]) >= directions["MGDA"].norm() ** 2 - 1e-6).all()

fig, ax = plt.subplots(figsize=(4.8, 4.0), layout="constrained")
for row, name in zip(grads, ("g_1", "g_2"), strict=True):
    ax.annotate("", xy=row.tolist(), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "0.5"})
    ax.text(*row.tolist(), name, color="0.4")
for position, (name, d) in enumerate(directions.items()):
    ax.annotate(
        "", xy=d.tolist(), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": f"C{position}"}
    )
    ax.plot(*d.tolist(), "o", color=f"C{position}", label=name)
ax.set_xlim(-1.3, 1.3)
ax.set_ylim(-0.3, 1.7)
ax.set_aspect("equal")
ax.set_xlabel("parameter 1")
ax.set_ylabel("parameter 2")
ax.set_title("Update directions for two conflicting gradients")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The mean (0, 0.5) has g_1·d = 0: the step does nothing for task 1. PCGrad's sum is longer
# and improves both tasks. MGDA's direction is the shortest, with g_1·d = g_2·d = 0.2 = ‖d‖²:
# it improves both tasks equally. CAGrad sits between the mean and a direction that helps
# the worse task: here both tasks improve by 0.25.
#
# ### Trajectories on a two-task landscape
#
# Two quadratic losses with different minima and different scales:
# L_1(θ) = ‖θ − (−1, 0)‖² and L_2(θ) = 0.1‖θ − (1, 1)‖². The Pareto set, the points where no
# move lowers both losses, is the segment between the two minima. We run 150 steps of size
# 0.1 from three starting points with each method.

# %%
minima = torch.tensor([[-1.0, 0.0], [1.0, 1.0]])
scales = torch.tensor([1.0, 0.1])


def landscape_grads(theta: torch.Tensor) -> torch.Tensor:
    """Gradients of L_i = scale_i ‖θ − minimum_i‖²: (2, 2)."""
    return 2 * scales[:, None] * (theta[None, :] - minima)


methods = {
    "mean": mean_gradient,
    "PCGrad": pcgrad,
    "MGDA": mgda,
    "CAGrad c=0.5": lambda g: cagrad(g, c=0.5),
}
starts = [torch.tensor([0.0, -1.5]), torch.tensor([2.0, -0.5]), torch.tensor([-2.0, 1.5])]
trajectories = {}
for name, method in methods.items():
    trajectories[name] = []
    for start in starts:
        theta, path = start.clone(), [start.clone()]
        for _ in range(150):
            theta = theta - 0.1 * method(landscape_grads(theta))
            path.append(theta.clone())
        trajectories[name].append(torch.stack(path))

grid = torch.linspace(-2.5, 2.5, 101)
xx, yy = torch.meshgrid(grid, grid, indexing="xy")
points = torch.stack([xx, yy], dim=-1)
total = sum(scales[i] * ((points - minima[i]) ** 2).sum(-1) for i in range(2))
fig, axes = plt.subplots(1, 4, figsize=(12.0, 3.4), layout="constrained", sharey=True)
for ax, (name, paths) in zip(axes, trajectories.items(), strict=True):
    ax.contour(xx.numpy(), yy.numpy(), total.numpy(), levels=12, colors="0.8", linewidths=0.6)
    ax.plot(minima[:, 0], minima[:, 1], "k-", linewidth=2, label="Pareto set")
    for path in paths:
        ax.plot(path[:, 0], path[:, 1], color="C1", linewidth=1.2)
        ax.plot(*path[-1].tolist(), "o", color="C1", markersize=4)
    ax.set_title(name)
    ax.set_xlabel("θ_1")
    ax.set_aspect("equal")
axes[0].set_ylabel("θ_2")
axes[0].legend(fontsize="small", loc="lower left")
fig.suptitle("150 steps from three starts; grey: contours of L_1 + L_2")
plt.show()

for name, paths in trajectories.items():
    ends = torch.stack([path[-1] for path in paths])
    losses = torch.stack([scales[i] * ((ends - minima[i]) ** 2).sum(-1) for i in range(2)], 1)
    print(f"{name:>12}: final (L_1, L_2) per start = {', '.join(fmt(row) for row in losses)}")

# %% [markdown]
# The mean of the gradients goes to one point, the minimum of L_1 + L_2, which lies close to
# task 1's minimum because task 1's loss is ten times larger. MGDA stops at the first point of
# the Pareto set it reaches, so where it ends depends on where it starts, and it never trades
# one task for the other. PCGrad ends at different points of the Pareto set depending on the
# start. CAGrad with c < 1 ends where the mean does, since Liu et al. (2021) prove that it
# converges to a minimum of the average loss; it only takes another path. None of them is
# "right": they choose different points of the Pareto set, or different ways to reach one.
#
# ## 5. On a real problem: three digit tasks sharing a trunk
#
# Three tasks on 300 training images of handwritten digits: the digit itself (10 classes), its
# parity and whether it is at least 5. A shared trunk (64 → 32, ReLU) feeds one linear head
# per task. Each method is plugged into `train_multitask` through `gradient_backward`. At each
# step it forms the (3, P) task gradients with respect to the trunk's P = 2080 parameters,
# combines them with the method and writes the result into the trunk's `.grad`. The heads,
# passed as `task_params`, are left out of the combination: each head receives the gradient of
# its own task's loss, as in Sener & Koltun (2018), who apply MGDA to the shared parameters
# only. Adam then steps on all parameters.


# %%
digits = load_digits()
train_rows, test_rows = split_indices(len(digits.labels), 0.5, generator)
train_rows = train_rows[:300]
rules = ["digit", "parity", "at_least_5"]
train_tasks = [digit_task(r, digits.images[train_rows], digits.labels[train_rows]) for r in rules]
test_tasks = [digit_task(r, digits.images[test_rows], digits.labels[test_rows]) for r in rules]

combiners = {
    "mean": mean_gradient,
    "PCGrad": lambda g: pcgrad(g, generator),
    "MGDA": mgda,
    "CAGrad": lambda g: cagrad(g, c=0.5),
}
accuracy, trunk_cosines = {}, {}
for name, combine in combiners.items():
    torch.manual_seed(0)  # the same initial weights for every method
    trunk = nn.Sequential(nn.Linear(64, 32), nn.ReLU())
    model = HardSharingModel(trunk, [nn.Linear(32, c) for c in (10, 1, 1)])
    history = train_multitask(
        model,
        train_tasks,
        steps=150,
        generator=torch.Generator().manual_seed(1),
        lr=1e-2,
        batch_size=64,
        test=test_tasks,
        backward=gradient_backward(
            combine, model.trunk.parameters(), task_params=model.heads.parameters()
        ),
    )
    accuracy[name] = history.final("test_metric")
    losses = torch.stack(
        [nn.functional.cross_entropy(model(test_tasks[0].x, 0), test_tasks[0].y)]
        + [
            nn.functional.binary_cross_entropy_with_logits(model(t.x, i), t.y)
            for i, t in enumerate(test_tasks[1:], start=1)
        ]
    )
    trunk_cosines[name] = conflict_cosines(task_gradients(losses, model.trunk.parameters()))
    print(f"{name:>7}: test accuracy {fmt(accuracy[name])}")
print(f"the three task gradients are combined over P = {count_parameters(model.trunk)} parameters")

fig = plot_task_bars(accuracy, rules, ylabel="test accuracy", title="Combining task gradients")
fig.axes[0].set_ylim(0.5, 1.0)
plt.show()

table = torch.stack(list(accuracy.values()))  # (methods, tasks)
spread = table.max(dim=0).values - table.min(dim=0).values
best_method = [list(accuracy)[int(k)] for k in table.argmax(dim=0)]
print(f"spread of test accuracy across methods, per task: {fmt(spread)}")
print(f"best method per task: {best_method}")
assert spread.max() < 0.04 and len(set(best_method)) > 1
print("cosines of the trunk gradients of the test losses after training with the mean:")
for rule, row in zip(rules, trunk_cosines["mean"], strict=True):
    print(f"{rule:>10}: {fmt(row)}")
assert (trunk_cosines["mean"] > 0).all()  # no pair of tasks conflicts here

# %% [markdown]
# On this small problem the four methods end close together: the widest spread of a task's test
# accuracy across the four methods is 0.03118 (at_least_5; 0.005568 for digit, 0.007795 for parity),
# and a different method is best on each task. These are single runs with one seed, so gaps of this
# size are no evidence that one method is better. Larger studies have found the same: with tuned
# baselines, plain averaging is hard to beat (Kurin et al., 2022; Xin et al., 2022). The gradient
# methods matter most where conflicts are strong and persist; here, after training with the mean,
# the trunk gradients of the three test losses do not conflict at all: every cosine is positive, the
# smallest 0.03703 between parity and at_least_5.
#
# ## 6. Published figures: MT-CIFAR-100
#
# Yu et al. (2020, Table 1) report test accuracy on CIFAR-100 split into 20 tasks of five
# classes each (cited figures, not rerun here):
#
# | method | accuracy |
# |---|---|
# | task-specific, all fully-connected layers (Rosenbaum et al., 2018) | 42% |
# | cross-stitch, all fully-connected (Misra et al., 2016) | 53% |
# | routing, all fully-connected + WPL (Rosenbaum et al., 2018) | 74.7% |
# | independent networks | 67.7% |
# | PCGrad | 71% |
# | routing, all fully-connected + WPL + PCGrad | 77.5% |
#
# PCGrad on a plain shared network beats independent networks by about 3 points, and adding it
# to the routing network adds another 2.8 points.
#
# ## 7. Explore: the similarity knob
#
# `explore(angle)` draws the shared-minus-separate error of section 1 against n for one angle,
# the other angles in grey. It only looks up the results computed above.


# %%
def explore(angle: int = 45) -> plt.Figure:
    """The transfer gap against n for the chosen angle between the tasks."""
    return plot_transfer_gap(angles, sizes, gaps, angle)


fig = explore(45)

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(
    explore, angle=widgets.SelectionSlider(options=angles, value=45, description="angle (°)")
)

# %% [markdown]
# ## Summary
# - Sharing trades variance for bias: it helps similar tasks and tasks with few examples, and
#   hurts dissimilar tasks with enough data (negative transfer), as the 0°/90° and
#   n = 30/400 corners of section 1 show.
# - Pooling the 65 schools into one regression hurts most schools: tasks that differ in a way
#   the shared model cannot express suffer.
# - The cosine between task gradients measures their conflict. Early in training it reflects
#   how similar the tasks are; near a stationary point of the summed loss it tends to −1 for
#   any two tasks, identical ones included, since there g_1 = −g_2.
# - PCGrad removes conflicting components, MGDA takes the shortest convex combination (a
#   common descent direction), CAGrad improves the worst task near the mean gradient. All three
#   need only the T×T inner products of the task gradients. They combine the gradients of
#   the shared trunk; each head keeps its own task's gradient.
# - On three digit tasks with one seed, the four ways of combining end within 0.03118 test
#   accuracy of each other on every task, with a different method best on each.
#
# ## Exercises
# 1. Compute PCGrad by hand for g_1 = (2, 0) and g_2 = (−1, 1); give the summed direction as a
#    list of two floats.
# 2. What is the MGDA weight w_1 on g_1 for g_1 = (1, 0) and g_2 = (0, 2)? Give a float.
# 3. In section 1, with n = 400, what is the smallest angle in `angles` at which sharing hurts
#    (a positive gap)? The heat map's colours near 0 are too faint to tell: compute it from
#    `gaps` (one row per angle, one column per n). Give the int.

# %%
pcgrad_answer = None  # e.g. [x, y]
print(nb07.check_pcgrad_by_hand(pcgrad_answer))

# %%
mgda_weight = None  # a float in [0, 1]
print(nb07.check_mgda_weight(mgda_weight))

# %%
smallest_hurting_angle = None  # one of angles
print(nb07.check_smallest_hurting_angle(smallest_hurting_angle, angles, gaps[:, -1].tolist()))

# %% [markdown]
# ## References
# - Caruana, R. (1997). Multitask learning. *Machine Learning*, 28(1), 41–75.
# - Désidéri, J.-A. (2012). Multiple-gradient descent algorithm (MGDA) for multiobjective
#   optimization. *Comptes Rendus Mathématique*, 350(5–6), 313–318.
# - Goldstein, H. et al. (1993). A multilevel analysis of school examination results. *Oxford
#   Review of Education*, 19(4).
# - Kurin, V., De Palma, A., Kostrikov, I., Whiteson, S. & Kumar, M. P. (2022). In defense of the
#   unitary scalarization for deep multi-task learning. *NeurIPS*.
# - Liu, B., Liu, X., Jin, X., Stone, P. & Liu, Q. (2021). Conflict-averse gradient descent for
#   multi-task learning. *NeurIPS*.
# - Misra, I., Shrivastava, A., Gupta, A. & Hebert, M. (2016). Cross-stitch networks for
#   multi-task learning. *CVPR*.
# - Rosenbaum, C., Klinger, T. & Riemer, M. (2018). Routing networks: adaptive selection of
#   non-linear functions for multi-task learning. *ICLR*.
# - Sener, O. & Koltun, V. (2018). Multi-task learning as multi-objective optimization. *NeurIPS*.
# - Wolfe, P. (1976). Finding the nearest point in a polytope. *Mathematical Programming*, 11.
# - Xin, D., Ghorbani, B., Gilmer, J., Garg, A. & Firat, O. (2022). Do current multi-task
#   optimization methods in deep learning even help? *NeurIPS*.
# - Yu, T., Kumar, S., Gupta, A., Levine, S., Hausman, K. & Finn, C. (2020). Gradient surgery
#   for multi-task learning. *NeurIPS*.
