# %% [markdown]
# # 05 · How much each task counts: weighting the objective
#
# A multi-task network is trained on one number, so the task losses must be combined into one.
# The simplest combination is a weighted sum Σ_i w_i L_i, and the weights decide which task the
# shared parameters serve. This notebook sweeps static weights on two real tasks and draws the
# trade-off they make, shows that a change of units is a change of weights, reproduces the toy
# problem of GradNorm and compares it with uncertainty weighting and dynamic weight average, and
# ends with objectives that protect the worst task instead of the average one.

# %% [markdown]
# ## Learning goals
#
# - Read a sweep of static weights as a trade-off (Pareto) front between task losses.
# - Explain why a task whose loss is on a larger scale takes over an equally weighted sum.
# - State what GradNorm, uncertainty weighting and dynamic weight average adapt, and what α does
#   in GradNorm.
# - Explain why the uncertainty-weighted objective can be negative without anything being wrong.
# - Compare the average objective with min-max and group-DRO objectives: who gains and who pays.
#
# ## Before you start
#
# Notebook 01 (tasks, the data sets) and notebook 02 (the training loop `train_multitask`).
# Here a *hard-sharing* model is used throughout: one shared trunk computes features from the
# input, and each task has its own small output head on top of those features.

# %%
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from mtl_helpers.data import (
    load_penguins,
    load_schools,
    split_by_task,
    split_indices,
    standardize,
)
from mtl_helpers.exercises.nb05 import (
    check_dro_step,
    check_uncertainty_minimum,
    check_unit_factor,
)
from mtl_helpers.models import HardSharingModel, mlp
from mtl_helpers.reproducibility import setup
from mtl_helpers.tasks import TaskData, task_loss
from mtl_helpers.training import train_multitask
from mtl_helpers.validation import check_choice
from mtl_helpers.weighting import (
    DynamicWeightAverage,
    GradNorm,
    GroupDRO,
    UncertaintyWeighting,
    WorstCase,
    gradnorm_loss,
    gradnorm_toy,
    group_dro_weights,
    non_dominated,
    per_group_mse,
    plot_front,
    task_gradient_norms,
    train_full_batch,
    uncertainty_weighted_loss,
    weighted_sum,
)
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)

# %% [markdown]
# ## 1. The weighted objective and its trade-off front
#
# Two tasks on the Palmer penguins: the **species** (3 classes, cross-entropy) and the **body
# mass** (regression, mean squared error on the standardised mass), both from bill length, bill
# depth and flipper length. The trunk ends in a single feature, so the two tasks must share one
# number per bird and cannot both have what they want: that makes the trade-off visible.
#
# The objective is (1 − w) L_species + w L_mass. Each value of w gives one trained model and one
# pair of losses; the pairs that no other pair beats on both tasks form the trade-off
# (Pareto) front.

# %%
penguins = load_penguins()
train_rows, test_rows = split_indices(len(penguins.species), 0.3, generator)
inputs = penguins.measurements[:, :3]  # bill length, bill depth, flipper length
(x_train, x_test), _, _ = standardize(inputs[train_rows], inputs[test_rows])
mass = penguins.column("body_mass_g")
(mass_train, mass_test), mass_mean, mass_std = standardize(mass[train_rows], mass[test_rows])


def penguin_tasks(mass_train_target, mass_test_target):
    """Species and mass as two tasks on the same birds: (train tasks, test tasks)."""
    species = penguins.species
    train = [
        TaskData("species", x_train, species[train_rows], "cross_entropy"),
        TaskData("mass", x_train, mass_train_target, "mse"),
    ]
    test = [
        TaskData("species", x_test, species[test_rows], "cross_entropy"),
        TaskData("mass", x_test, mass_test_target, "mse"),
    ]
    return train, test


def penguin_model(seed):
    """A 16-unit hidden layer, a 1-unit shared feature, and one head per task."""
    torch.manual_seed(seed)
    trunk = nn.Sequential(mlp(3, [16], 1), nn.ReLU())
    return HardSharingModel(trunk, [nn.Linear(1, 3), nn.Linear(1, 1)])


def train_penguins(train, test, task_weights, steps=150):
    model = penguin_model(seed=1)
    history = train_multitask(
        model,
        train,
        steps=steps,
        generator=torch.Generator().manual_seed(1),
        lr=0.02,
        batch_size=64,
        test=test,
        eval_every=steps,
        task_weights=task_weights,
    )
    return model, history


train_tasks, test_tasks = penguin_tasks(mass_train, mass_test)
print(f"{len(x_train)} training birds, {len(x_test)} test birds")

# %% [markdown]
# Sweep the mass weight w from 0.05 to 0.95 (the ends, w = 0 or 1, leave one head untrained).
# The table lists the final training losses, which are what the weights trade.

# %%
mass_weights = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95]
sweep = {}
for w in mass_weights:
    _, history = train_penguins(train_tasks, test_tasks, torch.tensor([1 - w, w]))
    sweep[w] = history
front = torch.stack([sweep[w].final("train_loss") for w in mass_weights])  # (7, 2)
on_front = non_dominated(front)
print("   w  species loss  mass loss  species test acc  on the front")
for w, (species_loss, mass_loss), keep in zip(
    mass_weights, front.tolist(), on_front.tolist(), strict=True
):
    accuracy = sweep[w].final("test_metric")[0]
    print(f"{w:4.2f}  {species_loss:12.4g}  {mass_loss:9.4g}  {accuracy:16.4g}  {keep}")
assert front[-1, 0] > front[0, 0] and front[-1, 1] < front[0, 1]

# %% [markdown]
# Moving weight to the mass task lowers its loss and raises the species loss: the weights choose
# a point on the front; they do not make both tasks better. Here all seven models are on the
# front (last column); with noisier training a sweep can also produce a model that another weight
# beats on both losses, and `non_dominated` would mark it False.


# %%
front_labels = ("species loss (cross-entropy, nats)", "mass loss (MSE, standardised units²)")
fig = plot_front(
    front, mass_weights, axis_labels=front_labels, title="Static weights trace a trade-off front"
)

# %% [markdown]
# ## 2. A change of units is a change of weights
#
# Measure the mass in grams instead of standard deviations. If every prediction is rescaled as
# well, the squared errors grow by the factor s² (s = the standard deviation in grams), so
# L_mass in g² = s² · L_mass in standardised units. Equal weights on (species, mass in grams)
# are therefore the weights (1, s²) in standardised units, w = s² / (1 + s²) on the front.
# (The mass is centred on its training mean in both runs, so the head need not learn an offset of
# four kilograms; only the scale differs.)

# %%
scale = float(mass_std)
print(f"s = {scale:.4g} g, s² = {scale**2:.4g}, equivalent w = 1 − {1 / (1 + scale**2):.4g}")
grams_train, grams_test = penguin_tasks(mass_train * scale, mass_test * scale)

probe = penguin_model(seed=1)
for label, tasks in (("standardised", train_tasks), ("grams", grams_train)):
    losses = torch.stack([task_loss(t.loss, probe(t.x, i), t.y) for i, t in enumerate(tasks)])
    norms = task_gradient_norms(losses, probe.shared_layer.weight)
    print(
        f"mass in {label:12}: ‖∇L_mass‖ / ‖∇L_species‖ at the shared layer = "
        f"{float(norms[1] / norms[0]):.4g}"
    )

# %% [markdown]
# At the start, the mass task's gradient on the shared layer is thousands of times the species
# task's when the mass is in grams. Train with equal weights in both units and compare.

# %%
_, equal_std = train_penguins(train_tasks, test_tasks, torch.tensor([1.0, 1.0]))
_, equal_grams = train_penguins(grams_train, grams_test, torch.tensor([1.0, 1.0]))
for label, history in (("standardised", equal_std), ("grams", equal_grams)):
    species_loss = history.final("train_loss")[0]
    accuracy = history.final("test_metric")[0]
    print(
        f"equal weights, mass in {label:12}: species loss {species_loss:.4g}, "
        f"species test accuracy {accuracy:.4g}"
    )
assert equal_grams.final("train_loss")[0] > equal_std.final("train_loss")[0]

# %% [markdown]
# Equal weights (1, 1) in standardised units give exactly the model of w = 0.5 in the sweep: Adam
# ignores a common factor on the whole objective. In grams the mass task takes over the shared
# feature and the species task is left with what remains. As objectives the two runs are the
# front's points w = 0.5 and w ≈ 1; Adam does not follow the same path in both (the mass head's
# weights must become s ≈ 820 times larger), so the grams model does not land exactly at the end
# of the front, but the species task clearly loses. An "equal" weighting is only equal for losses
# on the same scale. Either standardise the targets (notebook 06) or let the weights adapt, as
# the next sections do.
#
# ## 3. GradNorm on its toy problem
#
# GradNorm (Chen et al., 2018) learns the weights w_i during training. Its toy problem has T
# regression tasks f_i(x) = σ_i tanh((B + ε_i) x) that share a matrix B, each with its own
# perturbation ε_i and a scale σ_i. We use σ = 1, 4, 16, 64: the losses differ by a factor up to
# 64² ≈ 4,000. (Inputs in R^20, outputs in R^8, 200 samples; a smaller copy of the paper's.)
#
# At every step GradNorm compares, at the last shared layer W:
# - G_i = w_i ‖∇_W L_i‖, each task's weighted gradient norm, and Ḡ their mean;
# - r_i = L̃_i / mean_j L̃_j with L̃_i = L_i(t) / L_i(0): above 1 for a task that lags behind.
#
# It moves the weights to bring G_i towards the target Ḡ r_i^α, by gradient descent on
# Σ_i |G_i − Ḡ r_i^α| with the target held fixed, then rescales the weights to sum to T.
# **α** sets how hard lagging tasks are pushed: α = 0 asks only for equal gradient norms, a larger
# α gives tasks with a high r_i a larger share. The paper tunes α per problem and reports α = 1.5
# for NYUv2; this notebook uses α = 1.5.
#
# One update by hand: two tasks, w = (1, 1), ‖∇_W L_i‖ = (1, 3), L̃ = (0.5, 1), α = 1. Then
# G = (1, 3), Ḡ = 2, r = (2/3, 4/3), target = (4/3, 8/3), and the loss is
# |1 − 4/3| + |3 − 8/3| = 2/3. Its gradient sign(G_i − target_i) ‖∇_W L_i‖ = (−1, 3) raises the
# first task's weight and lowers the second's. The first task is *ahead* (r_1 = 2/3 < 1); its
# weight rises only because its gradient norm, 1, is below its target 4/3, while the second
# task's norm, 3, is above its target 8/3. The factor r_i^α does favour the lagging second task:
# it raises that task's target from Ḡ = 2 to 8/3, but not as far as its norm, 3.

# %%
weights = torch.ones(2, requires_grad=True)
loss = gradnorm_loss(
    weights,
    grad_norms=torch.tensor([1.0, 3.0]),
    losses=torch.tensor([0.5, 0.5]),
    initial_losses=torch.tensor([1.0, 0.5]),
    alpha=1.0,
)
loss.backward()
print(f"GradNorm loss {loss.item():.4g}, gradient on the weights {weights.grad.tolist()}")
assert math.isclose(loss.item(), 2 / 3, rel_tol=1e-6)
assert weights.grad.tolist() == [-1.0, 3.0]

# %% [markdown]
# Now train the toy problem with equal weights and with GradNorm. Each method is a *backward
# hook*: `train_full_batch` computes the four losses on all 200 samples, and the hook turns them
# into gradients (equal weights: the plain sum). Same initialisation and data for every method.

# %%
toy_scales = [1.0, 4.0, 16.0, 64.0]
toy = gradnorm_toy(toy_scales, n=200, in_dim=20, out_dim=8, generator=generator)
n_toy = len(toy_scales)
toy_names = [f"σ = {s:g}" for s in toy_scales]


def run_toy(make_method, steps=150):
    """Train a fresh model on the toy tasks; returns (losses (steps, T), the method or None)."""
    torch.manual_seed(2)
    trunk = nn.Sequential(mlp(20, [32, 32], 32), nn.ReLU())
    model = HardSharingModel(trunk, [nn.Linear(32, 8) for _ in range(n_toy)])
    method = make_method(model)

    def task_losses():
        features = model.trunk(toy.x)
        return torch.stack(
            [((model.heads[i](features) - toy.targets[i]) ** 2).mean() for i in range(n_toy)]
        )

    curve = train_full_batch(task_losses, model.parameters(), steps=steps, lr=1e-2, backward=method)
    return curve, method


toy_runs = {
    "equal": run_toy(lambda model: None),
    "GradNorm": run_toy(lambda model: GradNorm(model.shared_layer.weight, n_toy, alpha=1.5)),
}
print(f"initial losses: {[f'{v:.4g}' for v in toy_runs['equal'][0][0].tolist()]}")


# %%
def loss_ratios(curve):
    """L_i(t) / L_i(0): (steps, T)."""
    return curve / curve[0]


def spread(curve):
    """Largest over smallest final loss ratio: 1 when every task trained at the same rate."""
    final = loss_ratios(curve)[-1]
    return float(final.max() / final.min())


fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
for ax, name in zip(axes[:2], ("equal", "GradNorm"), strict=True):
    ratios = loss_ratios(toy_runs[name][0])
    for i in range(n_toy):
        ax.plot(ratios[:, i], label=toy_names[i])
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss ratio L_i(t) / L_i(0)")
    ax.set_title(f"{name} weights")
    ax.legend(fontsize="small")
weight_curve = toy_runs["GradNorm"][1].weight_curve()
for i in range(n_toy):
    axes[2].plot(weight_curve[:, i], label=toy_names[i])
axes[2].set_yscale("log")
axes[2].set_xlabel("training step")
axes[2].set_ylabel("task weight w_i")
axes[2].set_title("GradNorm's weights (α = 1.5)")
axes[2].legend(fontsize="small")
for name in ("equal", "GradNorm"):
    final = loss_ratios(toy_runs[name][0])[-1]
    print(
        f"{name:8}: final loss ratios {[f'{v:.4g}' for v in final.tolist()]}, "
        f"spread {spread(toy_runs[name][0]):.4g}"
    )
print(f"GradNorm's final weights {[f'{v:.4g}' for v in weight_curve[-1].tolist()]}")
assert spread(toy_runs["GradNorm"][0]) < spread(toy_runs["equal"][0])

# %% [markdown]
# With equal weights the σ = 64 task owns the gradient and its loss falls fastest while the σ = 1
# task keeps most of its loss. GradNorm ends with the σ = 1 task's weight about fifty times the
# σ = 64 task's, and the loss ratios come much closer together: every task trains at a similar
# *relative* rate.
#
# ## 4. Uncertainty weighting and dynamic weight average
#
# Two other common answers, on the same problem.
#
# **Uncertainty weighting** (Kendall et al., 2018) treats each regression task as a Gaussian with
# a learned noise variance σ_i², s_i = log σ_i², and minimises Σ_i ½ e^(−s_i) L_i + ½ s_i: a
# noisy (high-loss) task gets a small factor ½ e^(−s_i), and the ½ s_i term stops every s_i
# from growing without bound.
#
# **Dynamic weight average** (DWA; Liu et al., 2019) sets w_i = T softmax(r / τ)_i over the T
# tasks, with r_i = L_i(t−1) / L_i(t−2) and a temperature τ > 0 (here 2): a task whose loss fell
# less over the last epoch gets more weight. Here one full-batch step is one epoch.

# %%
toy_runs["uncertainty"] = run_toy(lambda model: UncertaintyWeighting(n_toy, lr=0.05))
toy_runs["DWA"] = run_toy(lambda model: DynamicWeightAverage(n_toy, temperature=2.0))

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
for ax, name, label in (
    (axes[0], "uncertainty", "factor ½ exp(−s_i)"),
    (axes[1], "DWA", "task weight w_i"),
):
    curve = toy_runs[name][1].weight_curve()
    for i in range(n_toy):
        ax.plot(curve[:, i], label=toy_names[i])
    ax.set_xlabel("training step")
    ax.set_ylabel(label)
    ax.set_title(f"{name} weights")
    ax.legend(fontsize="small")
axes[0].set_yscale("log")

print("method       final loss ratios                        spread")
for name, (curve, _) in toy_runs.items():
    final = loss_ratios(curve)[-1]
    print(f"{name:11}  {' '.join(f'{v:7.4g}' for v in final.tolist())}  {spread(curve):12.4g}")
dwa_curve = toy_runs["DWA"][1].weight_curve()
print(f"DWA weights ranged from {dwa_curve.min():.4g} to {dwa_curve.max():.4g}")

# %% [markdown]
# Uncertainty weighting also shrinks the factors of the large tasks, by a learned amount per
# task, and ends with loss ratios as even as GradNorm's here. DWA's weights stay close to 1: the
# losses change little from one step to the next, so the ratios r_i are all near 1 and so is
# every weight, and DWA ends where equal weights do. DWA reacts to *how fast* losses fall, not to
# their scale.
#
# **Why the uncertainty objective goes negative.** For a fixed L_i the term ½ e^(−s) L_i + ½ s is
# smallest at s = log L_i, where it equals ½ (1 + log L_i): below zero as soon as L_i < 1/e. The
# objective is a negative log-likelihood up to a constant, and a density can exceed 1, so a
# negative value only says the task is fitted well. Below, each toy task's term at the end of
# training next to its minimum ½ (1 + log L_i).

# %%
method = toy_runs["uncertainty"][1]
final_losses = toy_runs["uncertainty"][0][-1]
log_vars = method.log_vars.detach()
terms = 0.5 * torch.exp(-log_vars) * final_losses + 0.5 * log_vars
print("task      L_i       s_i  log L_i     term  minimum ½(1 + log L_i)")
for i in range(n_toy):
    loss_i, s_i = float(final_losses[i]), float(log_vars[i])
    print(
        f"{toy_names[i]:7} {loss_i:7.4g} {s_i:9.4g} {math.log(loss_i):8.4g} "
        f"{float(terms[i]):8.4g} {0.5 * (1 + math.log(loss_i)):10.4g}"
    )
total = uncertainty_weighted_loss(final_losses, log_vars)
print(f"total {float(total):.4g} = sum of the terms {float(terms.sum()):.4g}")
assert terms[0] < 0 and final_losses[0] < 1 / math.e

# %% [markdown]
# The σ = 1 task's loss is below 1/e, so its term is negative. Each s_i moves towards log L_i;
# for the large tasks it is still far from there after 150 steps, so their terms are above the
# minimum.
#
# ## 5. Protecting the worst task: min-max and group DRO
#
# The weighted sum asks for a good *average*. A robust objective asks for a good *worst case*:
# min_θ max_i L_i(θ). Its gradient is the worst task's alone, which makes it jumpy; group DRO
# (Sagawa et al., 2020) smooths it by keeping weights q on the simplex and moving them towards
# the tasks with high loss, q_i ← q_i exp(η L_i) / Σ_j q_j exp(η L_j), then descending Σ_i q_i L_i.
# With η = 0 it is the average objective; as η grows it approaches the min-max one. One step by
# hand: q = (0.5, 0.5), L = (0, log 3), η = 1 gives q ∝ (0.5 · 1, 0.5 · 3), that is (0.25, 0.75).

# %%
step = group_dro_weights(torch.tensor([0.5, 0.5]), torch.tensor([0.0, math.log(3)]), step_size=1.0)
print(f"new weights {[f'{v:.4g}' for v in step.tolist()]}")
assert torch.allclose(step, torch.tensor([0.25, 0.75]))

# %% [markdown]
#
# On the schools data (65 schools, one task each), one linear model predicts every student's
# exam score from the intake reading score and sex, whatever the school: a single rule for all
# schools, which cannot fit them all equally well. The average objective weights all schools
# equally (1/65 each); we compare it with group DRO (η = 0.03) and with min-max.

# %%
schools = load_schools()
school_train, school_test = split_by_task(schools.school, 0.25, generator)
n_schools = schools.n_tasks


def school_errors(model, rows):
    """Per-school mean squared error of a linear model on the given student rows: (65,)."""
    prediction = model(schools.x[rows]).squeeze(-1)
    return per_group_mse(prediction, schools.y[rows], schools.school[rows], n_schools)


def average_objective(losses, indices):
    objective = weighted_sum(losses, torch.full((n_schools,), 1 / n_schools))
    objective.backward()
    return objective.detach()


def train_schools(method, steps=300):
    torch.manual_seed(3)
    model = nn.Linear(2, 1)
    train_full_batch(
        lambda: school_errors(model, school_train),
        model.parameters(),
        steps=steps,
        lr=0.05,
        backward=method,
    )
    with torch.no_grad():
        return school_errors(model, school_train), school_errors(model, school_test), model


dro = GroupDRO(n_schools, step_size=0.03)
school_runs = {
    "average": train_schools(average_objective),
    "group DRO": train_schools(dro),
    "min-max": train_schools(WorstCase(n_schools)),
}
print("objective   train: mean    worst   test: mean    worst   intercept")
for name, (train_mse, test_mse, model) in school_runs.items():
    print(
        f"{name:10} {train_mse.mean():12.4g} {train_mse.max():8.4g} {test_mse.mean():12.4g} "
        f"{test_mse.max():8.4g} {model.bias.item():11.4g}"
    )
assert school_runs["group DRO"][0].max() < school_runs["average"][0].max()
assert school_runs["group DRO"][0].mean() > school_runs["average"][0].mean()

# %% [markdown]
# Group DRO lowers the worst school's training error and pays with a slightly higher mean; min-max
# goes furthest. On the held-out students the mean moves the same way, while the worst test school
# is partly chance: the smallest schools have one or two test students. Who gains? The plot sets
# each school's change in error (group DRO minus average) against its mean exam score.

# %%
change = school_runs["group DRO"][0] - school_runs["average"][0]
school_mean = torch.zeros(n_schools).index_add(0, schools.school, schools.y) / schools.sizes
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
axes[0].scatter(school_mean, change, s=14)
axes[0].axhline(0, color="0.5", linewidth=1)
axes[0].set_xlabel("school's mean exam score (standardised)")
axes[0].set_ylabel("Δ train MSE, DRO − average")
axes[0].set_title("Who gains from group DRO")
order = torch.argsort(dro.weight_curve()[-1], descending=True)[:5]
for school in order.tolist():
    axes[1].plot(dro.weight_curve()[:, school], label=f"school {school}")
axes[1].axhline(1 / n_schools, color="0.5", linestyle="--", label="uniform 1/65")
axes[1].set_xlabel("training step")
axes[1].set_ylabel("DRO weight q_i")
axes[1].set_title("The five schools with the most weight")
axes[1].legend(fontsize="small")
gainers = change < 0
print(
    f"{int(gainers.sum())} of {n_schools} schools gain; their mean score "
    f"{school_mean[gainers].mean():.4g}, the others' {school_mean[~gainers].mean():.4g}"
)
final_weight = dro.weight_curve()[-1]  # (65,)
for school in order.tolist():
    print(
        f"school {school:2d}: {int(schools.sizes[school]):3d} students, final q "
        f"{final_weight[school]:.4g}, mean score {school_mean[school]:.4g}, "
        f"Δ train MSE {change[school]:.4g}"
    )
print(
    f"total final q of the other {n_schools - 2} schools: {1 - final_weight[order[:2]].sum():.4g}"
)
assert school_mean[gainers].mean() < school_mean[~gainers].mean()
assert final_weight[order[0]] > 0.6 and bool((change[order[:2]] < 0).all())

# %% [markdown]
# The schools that gain are on average lower-scoring (mean score −0.2665 against 0.1202 for the
# others), not each one: school 52, with a high mean score of 1.004, gains too. The weight is
# concentrated: school 22, 28 students with a mean score of −0.7376, ends with q = 0.669, two
# thirds of the total; school 52 with 0.2445; the other 63 schools share what is left. Both of
# the heaviest schools gain. Group DRO also moves the intercept down, from −0.09728 to −0.3284
# (the table above), towards school 22's low scores. That is robustness (a lower worst error)
# and a form of fairness (the worst-served group is served better), bought with a small loss
# for the others.
#
# ## 6. Explore: choose a point on the front
#
# The slider picks the mass weight w of section 1 and circles the model it trained; the bars give
# that model's two losses. Everything was trained above: the callback only looks up and draws,
# after checking that it was given one of the trained weights (otherwise it stops with a message
# listing them).


# %%
def explore(mass_weight: float = 0.5) -> plt.Figure:
    """The trade-off front of section 1 with the model trained at ``mass_weight`` circled."""
    check_choice("mass_weight", mass_weight, mass_weights)
    fig, axes = plt.subplots(
        1, 2, figsize=(9.6, 3.8), layout="constrained", gridspec_kw={"width_ratios": [2, 1]}
    )
    plot_front(front, mass_weights, chosen=mass_weight, ax=axes[0], axis_labels=front_labels)
    losses = sweep[mass_weight].final("train_loss")
    axes[1].bar(["species", "mass"], losses.tolist(), color=["tab:blue", "tab:orange"])
    axes[1].set_ylim(0, float(front.max()) * 1.1)
    axes[1].set_ylabel("training loss")
    axes[1].set_title(f"losses at w = {mass_weight:g}")
    return fig


fig = explore()

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(
    explore,
    mass_weight=widgets.SelectionSlider(
        options=mass_weights, value=0.5, description="mass weight w"
    ),
)

# %% [markdown]
# ## Summary
#
# - A weighted sum Σ_i w_i L_i picks one point of a trade-off front; sweeping static weights
#   traces it, and no weight improves every task at once when the tasks compete.
# - Weights and units are the same knob: a loss measured on a larger scale (mass in grams) takes
#   over an equally weighted sum, with a gradient thousands of times larger.
# - GradNorm learns weights that equalise the tasks' relative training rates (α sets how hard);
#   uncertainty weighting learns a log-variance per task, and its objective may be negative;
#   DWA reacts to how fast each loss falls and barely moves when losses fall smoothly.
# - Min-max and group DRO optimise the worst task instead of the average: on the schools they
#   lower the worst error at a small cost to the mean; the schools that gain are on average
#   lower-scoring, and one school ends with two thirds of the DRO weight.
#
# ## Exercises
#
# 1. The mass loss is measured as a mean squared error in grams² instead of kilograms². By what
#    factor does that multiply its weight in an equally weighted sum? (A number.)

# %%
answer_1 = None
print(check_unit_factor(answer_1))

# %% [markdown]
# 2. For a task with loss L = 0.1, which s minimises ½ e^(−s) L + ½ s, and what is the term's
#    value there? Give the pair `(s, value)`.

# %%
answer_2 = None
print(check_uncertainty_minimum(answer_2))

# %% [markdown]
# 3. Group DRO with weights (0.5, 0.5), losses (1, 2) and step size η = 1: what are the new
#    weights? Give the pair. (Check your hand calculation with `group_dro_weights`.)

# %%
answer_3 = None
print(check_dro_step(answer_3))

# %% [markdown]
# ## References
#
# - Chen, Z., Badrinarayanan, V., Lee, C.-Y., Rabinovich, A. (2018). GradNorm: Gradient
#   normalization for adaptive loss balancing in deep multitask networks. ICML.
# - Kendall, A., Gal, Y., Cipolla, R. (2018). Multi-task learning using uncertainty to weigh
#   losses for scene geometry and semantics. CVPR.
# - Liu, S., Johns, E., Davison, A. J. (2019). End-to-end multi-task learning with attention.
#   CVPR. (Dynamic weight average.)
# - Sagawa, S., Koh, P. W., Hashimoto, T. B., Liang, P. (2020). Distributionally robust neural
#   networks for group shifts. ICLR.
# - Goldstein, H., Rasbash, J., et al. (1993). A multilevel analysis of school examination
#   results. Oxford Review of Education. (The schools data.)
# - Horst, A. M., Hill, A. P., Gorman, K. B. (2020). palmerpenguins: Palmer Archipelago
#   (Antarctica) penguin data. R package. (The penguins data.)
