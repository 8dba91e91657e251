# %% [markdown]
# # 06 · How to train on many tasks: sampling and scale
#
# Notebook 05 decided how much each task's loss counts once it is computed. Before that, every
# training step decides *which* tasks and rows it looks at, and the targets' units decide how
# large each loss is in the first place. This notebook writes out the basic multi-task training
# algorithm, compares ways of sampling tasks that differ a hundredfold in size (the 65 schools),
# and shows why regression targets on very different scales must be standardised.

# %% [markdown]
# ## Learning goals
#
# - Write the multi-task training step: sample tasks, sample rows, sum the losses, back-propagate,
#   step with Adam.
# - Compute task probabilities p_i ∝ n_i^(1/τ) and say what τ = 1 (pooled) and τ = ∞ (uniform)
#   do to the rows of small and large tasks.
# - Read per-task errors to see who gains and who pays under each sampling scheme.
# - Show a large-scale regression target dominating the shared gradient, and standardisation
#   fixing it.
#
# ## Before you start
#
# Notebook 02 (the training loop `train_multitask` and its `sampler` argument) and notebook 05
# (the hard-sharing model: a shared trunk with one head per task, and weighted objectives).

# %%
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from mtl_helpers.data import load_penguins, load_schools, split_by_task, split_indices
from mtl_helpers.exercises.nb06 import (
    check_row_rate,
    check_square_root_temperature,
    check_temperature_probability,
)
from mtl_helpers.models import HardSharingModel, mlp
from mtl_helpers.plotting import plot_task_bars
from mtl_helpers.reproducibility import setup
from mtl_helpers.sampling import (
    count_draws,
    expected_row_weight,
    plot_task_mix,
    task_probabilities,
    temperature_sampler,
)
from mtl_helpers.tasks import TaskData, task_loss
from mtl_helpers.training import train_multitask
from mtl_helpers.validation import check_choice
from mtl_helpers.weighting import task_gradient_norms
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)

# %% [markdown]
# ## 1. The training step, written out
#
# The schools data: 4,059 students in 65 London schools; each school is a task, predicting a
# student's exam score at 16 from the reading score at intake and sex. A quarter of each school's
# students is held out. The model is a small shared trunk with one linear head per school.

# %%
schools = load_schools()
train_rows, test_rows = split_by_task(schools.school, 0.25, generator)
n_schools = schools.n_tasks


train_tasks, test_tasks = schools.task_data(train_rows), schools.task_data(test_rows)
sizes = torch.tensor([len(t) for t in train_tasks])
print(
    f"training students per school: {int(sizes.min())} to {int(sizes.max())}, "
    f"{int(sizes.sum())} in all"
)


def school_model(seed):
    torch.manual_seed(seed)
    trunk = nn.Sequential(mlp(2, [16], 8), nn.ReLU())
    return HardSharingModel(trunk, [nn.Linear(8, 1) for _ in range(n_schools)])


# %% [markdown]
# The step of the lecture's Algorithm 1, in five lines: (1) sample a mini-batch of tasks, (2) a
# mini-batch of rows of each, (3) sum the tasks' mean losses, (4) back-propagate, (5) step with
# Adam. The *sampler* does (1) and (2); here it draws 8 schools (uniformly, for now) and 8
# students of each.


# %%
def algorithm_1(model, tasks, sampler, steps, lr, generator):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        plan = sampler(generator)  # (1) and (2): [(task index, row indices), ...]
        loss = sum(
            task_loss(tasks[i].loss, model(tasks[i].x[rows], i), tasks[i].y[rows])
            for i, rows in plan
        )  # (3)
        optimizer.zero_grad()
        loss.backward()  # (4)
        optimizer.step()  # (5)
    return model


sampler = temperature_sampler(sizes, math.inf, tasks_per_step=8, rows_per_task=8)
by_hand = algorithm_1(
    school_model(0), train_tasks, sampler, 50, 0.02, torch.Generator().manual_seed(1)
)
library = school_model(0)
train_multitask(
    library,
    train_tasks,
    steps=50,
    lr=0.02,
    sampler=sampler,
    generator=torch.Generator().manual_seed(1),
)
difference = max(
    float((a - b).detach().abs().max())
    for a, b in zip(by_hand.parameters(), library.parameters(), strict=True)
)
print(f"largest difference between the two models' parameters: {difference:.4g}")
assert difference < 1e-6

# %% [markdown]
# `train_multitask` is this loop with bookkeeping (evaluation, a history); from here on it is used
# with different samplers.
#
# ## 2. Tasks of very different sizes
#
# The schools range from one student to almost 150 in training. Three ways to sample:
#
# - **Pooled**: draw students from all schools together. A school then comes up with probability
#   n_i / N, in proportion to its size.
# - **Two-stage, uniform**: first a school uniformly at random, then students of it.
# - **Temperature**: first a school with p_i ∝ n_i^(1/τ), then students of it. The temperature
#   τ > 0 (the Greek letter tau) sets how flat the mix is: τ = 1 is the pooled rate, τ = ∞
#   uniform, and τ in between flattens the sizes (τ = 2: p_i ∝ √n_i).
#
# `task_probabilities(sizes, τ)` computes p. What it means for one student: a row of school i is
# used at rate p_i / n_i, which is N p_i / n_i times the pooled rate (`expected_row_weight`).

# %%
temperatures = [1.0, 2.0, 5.0, math.inf]
probabilities = {t: task_probabilities(sizes, t) for t in temperatures}
smallest, largest = int(sizes.argmin()), int(sizes.argmax())
n_small, n_large = int(sizes[smallest]), int(sizes[largest])
print(f"training students: {n_small} in the smallest school, {n_large} in the largest")
print("    τ   p(smallest)  p(largest)  row weight smallest  row weight largest")
for t in temperatures:
    p = probabilities[t]
    weight = expected_row_weight(sizes, p)
    print(
        f"{t:5g}  {p[smallest]:11.4g}  {p[largest]:10.4g}  {weight[smallest]:19.4g}  "
        f"{weight[largest]:18.4g}"
    )
assert torch.allclose(expected_row_weight(sizes, probabilities[1.0]), torch.ones(n_schools))

# %% [markdown]
# At τ = 1 every student counts the same (row weight 1), as in pooled sampling; at τ = ∞ a student
# of the smallest school is used dozens of times as often, one of the largest school a fraction
# as often. The sampler draws from a seeded `torch.Generator`, so a run repeats exactly; its
# empirical frequencies over 3,000 steps match p (the largest gap is printed next to the binomial
# standard error of the most likely school).

# %%
draws, _ = count_draws(
    temperature_sampler(sizes, 2.0, tasks_per_step=8, rows_per_task=8),
    n_schools,
    steps=3000,
    generator=torch.Generator().manual_seed(2),
)
frequency = draws / draws.sum()
gap = float((frequency - probabilities[2.0]).abs().max())
p_max = float(probabilities[2.0].max())
standard_error = math.sqrt(p_max * (1 - p_max) / int(draws.sum()))
print(f"τ = 2: largest |frequency − p| = {gap:.4g}, standard error {standard_error:.4g}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
order = torch.argsort(sizes)
axes[0].bar(range(n_schools), sizes[order].tolist())
axes[0].set_xlabel("school, sorted by size")
axes[0].set_ylabel("training students n_i")
axes[0].set_title("The schools differ a hundredfold in size")
for t in temperatures:
    axes[1].plot(sizes[order], probabilities[t][order], marker=".", label=f"τ = {t:g}")
axes[1].set_xscale("log")
axes[1].set_yscale("log")
axes[1].set_xlabel("training students n_i (log scale)")
axes[1].set_ylabel("probability p_i of drawing the school")
axes[1].legend(fontsize="small")
axes[1].set_title("p_i ∝ n_i^(1/τ)")
assert gap < 4 * standard_error

# %% [markdown]
# ## 3. What each scheme does to small and large schools
#
# Train the same model with each temperature, on the same budget: 150 steps of 8 schools × 8
# students. The schools are split into thirds by size; each third's mean test error (mean squared
# error on the held-out students) is averaged over two seeds, because a small school's error on
# its one or two test students is largely chance.

# %%
thirds = {
    "small": order[: n_schools // 3],
    "medium": order[n_schools // 3 : 2 * n_schools // 3],
    "large": order[2 * n_schools // 3 :],
}


def run_temperature(temperature, seed, steps=150):
    model = school_model(seed)
    history = train_multitask(
        model,
        train_tasks,
        steps=steps,
        lr=0.02,
        sampler=temperature_sampler(sizes, temperature, tasks_per_step=8, rows_per_task=8),
        generator=torch.Generator().manual_seed(seed + 1),
        test=test_tasks,
        eval_every=steps,
    )
    return history.final("test_loss"), history.final("train_loss")


test_error, train_error = {}, {}
for t in temperatures:
    runs = [run_temperature(t, seed) for seed in range(2)]
    test_error[t] = torch.stack([test for test, _ in runs]).mean(dim=0)  # (65,)
    train_error[t] = torch.stack([train for _, train in runs]).mean(dim=0)


def by_third(per_school):
    return torch.stack([per_school[rows].mean() for rows in thirds.values()])


print("    τ   test MSE: small  medium   large   all  | train MSE: large")
for t in temperatures:
    small, medium, large = by_third(test_error[t]).tolist()
    print(
        f"{t:5g}  {small:15.4g} {medium:7.4g} {large:7.4g} {test_error[t].mean():5.4g}  | "
        f"{by_third(train_error[t])[2]:16.4g}"
    )
assert by_third(test_error[math.inf])[0] < by_third(test_error[1.0])[0]
assert by_third(train_error[math.inf])[2] > by_third(train_error[1.0])[2]
small_test = [by_third(test_error[t])[0] for t in temperatures]
assert small_test == sorted(small_test, reverse=True)  # falls at every step of τ
for per_school in (test_error, train_error):  # large third: above τ = 1 at every higher τ
    assert all(by_third(per_school[t])[2] > by_third(per_school[1.0])[2] for t in temperatures[1:])
assert min(temperatures, key=lambda t: test_error[t].mean()) == math.inf

fig = plot_task_bars(
    {f"τ = {t:g}": by_third(test_error[t]) for t in temperatures},
    list(thirds),
    ylabel="mean test MSE (standardised score²)",
    title="Per-third test error under each sampling temperature",
)

# %% [markdown]
# Pooled sampling (τ = 1) spends most steps on the large schools: the small schools' heads are
# rarely updated and their error is the highest. Raising τ moves steps to the small schools and
# their test error falls at every step, from 0.8595 to 0.7047. The large schools get fewer
# steps: their error, on training and test students alike, is higher at every τ > 1 than at
# τ = 1; it rises up to τ = 5 (training 0.5455 to 0.6009, test 0.6199 to 0.6696) and is slightly
# lower at τ = ∞ than at τ = 5. The medium third follows neither pattern: its test error rises
# from 0.6861 at τ = 1 to 0.7458 at τ = 5 and is lowest, 0.6523, at τ = ∞; with two seeds this
# notebook cannot say how much of that is chance. Which τ is best depends on the question: the
# mean over schools favours τ = ∞ here, a mean over students would weigh the large schools more,
# and a longer budget would let uniform sampling overfit the smallest schools instead.
# Multilingual translation and language models meet the same choice and settle on intermediate
# values: τ = 5 (Arivazhagan et al., 2019), p_i ∝ n_i^0.5 (Conneau & Lample, 2019) and
# p_i ∝ n_i^0.3 (Conneau et al., 2020).
#
# ## 4. Targets on very different scales
#
# A second way one task can take over: its loss is simply larger. Two synthetic regression tasks
# on the same inputs, one with targets in −5..5 and one in −100..100, share a narrow trunk. The
# squared errors of the second are about 20² = 400 times larger, and its gradient, which grows
# with the error itself, about an order of magnitude larger. Standardising each target (zero
# mean, unit variance) fixes it. For brevity the mean and standard deviation are taken over all
# rows here; with a held-out set, take them from the training rows only, as
# `mtl_helpers.data.standardize` does. The error is reported as a fraction of each target's
# variance, so both tasks read on the same scale (0 is perfect, 1 is no better than predicting the
# mean).


# %%
def two_regressions(x, targets, names, seed=0, steps=200):
    """Train a shared trunk with two heads; return (gradient-norm ratio at start, rel. errors).

    x: (n, D) inputs; targets: (2, n). The ratio is ‖∇L_2‖ / ‖∇L_1‖ at the shared layer before
    training; the relative errors are test MSE / test variance per task.
    """
    train, test = split_indices(len(x), 0.25, torch.Generator().manual_seed(seed))
    train_set = [
        TaskData(n, x[train], y[train], "mse") for n, y in zip(names, targets, strict=True)
    ]
    test_set = [TaskData(n, x[test], y[test], "mse") for n, y in zip(names, targets, strict=True)]
    torch.manual_seed(seed)
    model = HardSharingModel(
        nn.Sequential(mlp(x.shape[1], [16], 4), nn.ReLU()), [nn.Linear(4, 1), nn.Linear(4, 1)]
    )
    losses = torch.stack([task_loss("mse", model(t.x, i), t.y) for i, t in enumerate(train_set)])
    norms = task_gradient_norms(losses, model.shared_layer.weight)
    history = train_multitask(
        model,
        train_set,
        steps=steps,
        lr=0.02,
        batch_size=64,
        test=test_set,
        eval_every=steps,
        generator=torch.Generator().manual_seed(seed),
    )
    variance = torch.stack([t.y.var() for t in test_set])
    return float(norms[1] / norms[0]), history.final("test_loss") / variance


def standardized(targets):
    return (targets - targets.mean(dim=1, keepdim=True)) / targets.std(dim=1, keepdim=True)


inputs = torch.randn(400, 4, generator=generator)
directions = torch.tensor([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])  # (2, 4), orthogonal
raw = torch.tanh(directions @ inputs.T) * torch.tensor([[5.0], [100.0]])  # (2, 400)
low, high = raw.min(dim=1).values, raw.max(dim=1).values
print(f"target ranges: {low[0]:.4g}..{high[0]:.4g} and {low[1]:.4g}..{high[1]:.4g}")
scale_results = {}
for label, targets in (("raw", raw), ("standardised", standardized(raw))):
    ratio, relative = two_regressions(inputs, targets, ["±5 task", "±100 task"])
    scale_results[label] = relative
    print(
        f"{label:12}: ‖∇L_±100‖ / ‖∇L_±5‖ = {ratio:8.4g}; relative test error "
        f"±5 task {relative[0]:.4g}, ±100 task {relative[1]:.4g}"
    )
assert scale_results["raw"][0] > 10 * scale_results["standardised"][0]

# %% [markdown]
# On raw targets the ±100 task is fitted and the ±5 task keeps a large part of its variance
# unexplained; standardised, both are fitted well. The same happens on real data: penguin body
# mass in grams and flipper length in millimetres, predicted from bill length, bill depth and
# sex. Both targets are centred in both runs, so only their scales differ (standard deviations of
# about 800 g and 14 mm).

# %%
penguins = load_penguins()
features = torch.stack(
    [penguins.column("bill_length_mm"), penguins.column("bill_depth_mm"), penguins.sex.float()], 1
)
features = (features - features.mean(dim=0)) / features.std(dim=0)
measured = torch.stack([penguins.column("body_mass_g"), penguins.column("flipper_length_mm")])
centred = measured - measured.mean(dim=1, keepdim=True)
print(f"standard deviations: mass {measured[0].std():.4g} g, flipper {measured[1].std():.4g} mm")
penguin_results = {}
for label, targets in (("grams, mm", centred), ("standardised", standardized(measured))):
    ratio, relative = two_regressions(features, targets, ["mass", "flipper"])
    penguin_results[label] = relative
    print(
        f"{label:12}: ‖∇L_flipper‖ / ‖∇L_mass‖ = {ratio:8.4g}; relative test error "
        f"mass {relative[0]:.4g}, flipper {relative[1]:.4g}"
    )
assert (penguin_results["standardised"] < penguin_results["grams, mm"]).all()

# %% [markdown]
# In raw units the flipper task's gradient is hundreds of times smaller than the mass task's, and
# both tasks end worse: the flipper task gets little say in the shared trunk, and the mass head
# must produce outputs in the hundreds of grams, which Adam's steps of about the learning rate
# reach slowly. Standardised, both are predicted far better. Remember to undo the scaling
# (multiply by the standard deviation, add the mean) when reporting predictions in grams.
#
# ## 5. Explore: the temperature
#
# The slider picks a temperature from section 3. Left: the task mix it draws (probability of each
# school against its size, pooled rate dashed). Right: the per-third test error it reached, next
# to pooled sampling's. Everything was trained above, so `explore` first checks that it was given
# one of the trained temperatures and otherwise stops with a message listing them.


# %%
def explore(temperature: float = 2.0) -> plt.Figure:
    """Task mix and per-third test error for one of the trained temperatures."""
    check_choice("temperature", temperature, temperatures)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    plot_task_mix(sizes, temperature, ax=axes[0])
    values = {"τ = 1 (pooled)": by_third(test_error[1.0])}
    values[f"τ = {temperature:g}"] = by_third(test_error[temperature])
    plot_task_bars(values, list(thirds), "mean test MSE", "Test error by school size", ax=axes[1])
    return fig


fig = explore()

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(
    explore,
    temperature=widgets.SelectionSlider(options=temperatures, value=2.0, description="τ"),
)

# %% [markdown]
# ## Summary
#
# - A multi-task step samples tasks, samples rows of each, sums the losses, back-propagates and
#   steps; `train_multitask` is exactly that loop, with the sampler as a plug-in.
# - Temperature sampling p_i ∝ n_i^(1/τ) spans pooled sampling (τ = 1, every row equal) to uniform
#   task sampling (τ = ∞, every task equal). Higher τ serves small tasks at the expense of large
#   ones: on the schools with a short budget the small schools' test error falls at every step
#   of τ, and the large schools' error is higher at every τ > 1 than at τ = 1.
# - A regression target on a larger scale dominates the shared gradient and leaves the other task
#   unfitted; standardising each target puts the tasks on an equal footing.
#
# ## Exercises
#
# 1. Two tasks with 4 and 16 rows are sampled at temperature τ = 2. What is the probability of
#    drawing the first task?

# %%
answer_1 = None
print(check_temperature_probability(answer_1))

# %% [markdown]
# 2. Two tasks have 10 and 90 rows and are sampled uniformly (τ = ∞). How many times more often
#    than under pooled sampling is a given row of the 10-row task used?

# %%
answer_2 = None
print(check_row_rate(answer_2))

# %% [markdown]
# 3. Which temperature makes the probability of each task proportional to the square root of its
#    size?

# %%
answer_3 = None
print(check_square_root_temperature(answer_3))

# %% [markdown]
# ## References
#
# - Kingma, D. P., Ba, J. (2015). Adam: A method for stochastic optimization. ICLR.
# - Arivazhagan, N., Bapna, A., Firat, O., et al. (2019). Massively multilingual neural machine
#   translation in the wild: findings and challenges. arXiv:1907.05019. (Temperature sampling.)
# - Conneau, A., Lample, G. (2019). Cross-lingual language model pretraining. NeurIPS.
#   (Sampling languages with p_i ∝ n_i^0.5.)
# - Conneau, A., Khandelwal, K., Goyal, N., Chaudhary, V., Wenzek, G., Guzmán, F., Grave, E.,
#   Ott, M., Zettlemoyer, L., Stoyanov, V. (2020). Unsupervised cross-lingual representation
#   learning at scale. ACL. (XLM-R; sampling languages with p_i ∝ n_i^0.3.)
# - Goldstein, H., Rasbash, J., et al. (1993). A multilevel analysis of school examination
#   results. Oxford Review of Education. (The schools data.)
# - Horst, A. M., Hill, A. P., Gorman, K. B. (2020). palmerpenguins: Palmer Archipelago
#   (Antarctica) penguin data. R package. (The penguins data.)
