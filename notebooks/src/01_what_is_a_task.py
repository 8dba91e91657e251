# %% [markdown]
# # 01 · What is a task?
#
# Multi-task learning trains one model on several tasks. Before we can share anything between
# tasks we need to say precisely what a task *is*. This notebook takes the lecture's definition,
# T_i = {p_i(x), p_i(y|x), L_i}, and shows each of its three parts changing on real data:
# the same images under different labelling rules, the same labelling rule in schools whose
# students differ, and the same birds scored by different losses. It ends with the difference
# between memorising a data set and learning the task behind it.
#
# ## Learning goals
# - State the three parts of a task: an input distribution p_i(x), a labelling distribution
#   p_i(y|x) and a loss L_i.
# - Recognise which part differs between two tasks on real data sets.
# - Explain why a task is a distribution and a data set only a draw from it.
# - Measure memorising versus generalising as the gap between training and test accuracy, and
#   how it shrinks as the number of examples grows.
#
# ## Before you start
# This is the first notebook. You need Python and a first acquaintance with PyTorch tensors,
# `nn.Module` and a training loop (forward pass, loss, `backward()`, optimiser step). Each helper
# used here comes from the package `mtl_helpers` next to the notebooks; its source is short and
# worth reading.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from mtl_helpers.data import SPECIES, load_digits, load_penguins, load_schools, split_indices
from mtl_helpers.exercises import nb01
from mtl_helpers.models import PooledModel, mlp
from mtl_helpers.reproducibility import setup
from mtl_helpers.tasks import Task, digit_task, task_loss
from mtl_helpers.training import evaluate, train_multitask
from mtl_helpers.validation import check_choice
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)  # seeds, one thread, deterministic kernels, figure defaults

# %% [markdown]
# ## 1. A task is a distribution, not a data set
#
# In the lecture's notation a task is
#
# $$\mathcal{T}_i = \{\, p_i(\mathbf{x}),\; p_i(\mathbf{y} \mid \mathbf{x}),\; \mathcal{L}_i \,\}.$$
#
# * p_i(x) says which inputs occur and how often;
# * p_i(y|x) says how an input is labelled (a fixed rule or a noisy one);
# * L_i says how a prediction is scored.
#
# A data set is a finite *draw* from a task. `mtl_helpers.tasks.Task` holds exactly these three
# parts, so a task can be asked for as many examples as we like. Here is a small synthetic task:
# inputs uniform on [−3, 3], labels sin(x) plus Gaussian noise, scored by mean squared error.


# %%
def uniform_inputs(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, 1, generator=generator) * 6 - 3  # p(x): uniform on [-3, 3]


def noisy_sine(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    noise = 0.1 * torch.randn(len(x), generator=generator)
    return torch.sin(x[:, 0]) + noise  # p(y|x): sin(x) plus noise of standard deviation 0.1


sine = Task.from_sampler("noisy sine", uniform_inputs, noisy_sine, loss="mse")
first, second = sine.draw(200, generator), sine.draw(200, generator)
print(f"two draws of 200 examples share {int((first.x == second.x).sum())} inputs")
print(f"mean label in draw 1: {first.y.mean():.4g}, in draw 2: {second.y.mean():.4g}")
true_rule_error = task_loss("mse", torch.sin(first.x[:, 0]), first.y)
print(f"MSE of the true rule sin(x) on draw 1: {true_rule_error:.4g}")

# %% [markdown]
# The two draws share no inputs, yet they are samples of one task, and even the true rule sin(x)
# has an error near 0.01 = 0.1², the noise variance: that floor belongs to p(y|x), not to any
# model. A finite data set such as the handwritten digits fits the same definition when p(x) is
# the *empirical* distribution of its rows: `Task.from_data` draws distinct rows.

# %%
digits = load_digits()
print(f"digits: images {tuple(digits.images.shape)}, labels {tuple(digits.labels.shape)}")
digit_classes = Task.from_data("digit", digits.x, digits.labels, loss="cross_entropy")
print("labels of a draw of 10 images:", digit_classes.draw(10, generator).y.tolist())

# %% [markdown]
# ## 2. Same inputs, different labelling rules: p(y|x) changes
#
# Take the 1,797 digit images and label each one in three ways: its digit (10 classes), its
# parity (1 for odd), and whether it is at least 5. p(x) is the same for the three tasks; only
# p(y|x) differs, and so does the loss (10-way cross-entropy versus binary cross-entropy).

# %%
fig, axes = plt.subplots(1, 8, figsize=(8, 1.6), layout="constrained")
for ax, image, label in zip(axes, digits.images[:8], digits.labels[:8], strict=True):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"{int(label)}: {'odd' if label % 2 else 'even'}, {'≥5' if label >= 5 else '<5'}")
    ax.axis("off")
fig.suptitle("Digit images under three labelling rules (digit: parity, at least 5)")
plt.show()

rules = ["digit", "parity", "at_least_5"]
tasks = {rule: digit_task(rule, digits.images, digits.labels) for rule in rules}
agreement = (tasks["parity"].y == tasks["at_least_5"].y).float().mean()
print(f"parity and at_least_5 agree on {agreement:.4g} of the images")

# %% [markdown]
# The two binary rules agree on 6 of the 10 digits (0, 2 and 4 are even and below 5; 5, 7 and 9
# are odd and at least 5), hence on about 60% of the images. Are they then different *tasks*?
# Train a logistic classifier on one rule and score it on the other. If the tasks were the same,
# the accuracy would carry over.
#
# Four helpers do the training here and in the later notebooks:
#
# * `mlp(inputs, hidden, outputs)` builds a multilayer perceptron: linear layers of the given
#   widths with a ReLU between them; `hidden=[]` leaves one linear layer.
# * `PooledModel(net)` makes a network into a model called as `model(x, task)` that ignores
#   which task it is asked for (notebook 02 builds models that do not ignore it).
# * `train_multitask(model, tasks, steps=..., lr=..., batch_size=..., generator=...)` takes
#   `steps` Adam steps; at each step it draws `batch_size` examples of every task in the list,
#   adds the tasks' losses and takes one gradient step on the sum. With one task in the list it
#   is ordinary training.
# * `evaluate(model, tasks)` returns two tensors with one entry per task: the mean loss and the
#   metric (accuracy for a classification task), so `evaluate(model, [t])[1][0]` is the
#   accuracy on t.

# %%
train_rows, test_rows = split_indices(len(digits.labels), 0.3, generator)
binary_rules = ["parity", "at_least_5"]
transfer = torch.zeros(2, 2)
for i, source in enumerate(binary_rules):
    model = PooledModel(mlp(64, [], 1))  # a linear model: logistic regression on the 64 pixels
    train_multitask(
        model,
        [tasks[source].subset(train_rows)],
        steps=150,
        lr=0.05,
        batch_size=256,
        generator=generator,
    )
    for j, target in enumerate(binary_rules):
        transfer[i, j] = evaluate(model, [tasks[target].subset(test_rows)])[1][0]
for i, source in enumerate(binary_rules):
    scores = ", ".join(f"{t}: {transfer[i, j]:.4g}" for j, t in enumerate(binary_rules))
    print(f"trained on {source:10s} -> test accuracy on {scores}")
assert transfer.diag().min() > 0.8 > transfer.fliplr().diag().max()

# %% [markdown]
# Each classifier is good on the rule it was trained for (above 0.8) and scores only about the
# rules' agreement rate, 0.6, on the other: it carries over exactly what the two labellings share
# and nothing more. The same inputs with a different p(y|x) make a different task.
#
# ## 3. Same rule, different inputs: p(x) changes
#
# The London schools data (Goldstein et al., 1993) records, for 4,059 students in 65 schools, a
# reading score at intake (`standLRT`, standardised) and an exam score at 16 (`normexam`). Treat
# each school as a task: the rule "predict the exam score from the intake score" is shared, but
# each school draws its students from its own p_i(x).

# %%
schools = load_schools()
print(f"students x {tuple(schools.x.shape)}, {schools.n_tasks} schools")
print(f"students per school: min {int(schools.sizes.min())}, max {int(schools.sizes.max())}")
means = torch.stack([schools.task(i)[0][:, 0].mean() for i in range(schools.n_tasks)])
low, high = int(means.argmin()), int(means.argmax())
print(f"mean intake score: school {low} {means[low]:.4g}, school {high} {means[high]:.4g}")

fig, ax = plt.subplots(layout="constrained")
for index in (low, high):
    intake = schools.task(index)[0][:, 0]
    ax.hist(intake.tolist(), bins=15, alpha=0.6, label=f"school {index} ({len(intake)} students)")
ax.set_xlabel("intake reading score (standardised)")
ax.set_ylabel("students")
ax.set_title("$p_i(x)$ differs between schools")
ax.legend()
plt.show()

# %% [markdown]
# The two schools' mean intake scores lie about 1.4 standard deviations apart. A model fitted on
# one school sees inputs that the other school rarely produces: a change of p(x), called
# *covariate shift*, even when the labelling rule is shared.
#
# ## 4. Same birds, different losses: L changes
#
# The Palmer penguins data (Horst et al., 2020) measures 333 birds. From the same inputs (bill
# length and depth) we can predict the species, a classification scored by cross-entropy, or
# the body mass in grams, a regression scored by squared error. The losses live on very
# different scales, which matters as soon as we add them up (notebooks 05 and 06).

# %%
penguins = load_penguins()
bills = penguins.measurements[:, :2]
print(f"species counts: {dict(zip(SPECIES, penguins.species.bincount().tolist(), strict=True))}")
uniform_logits = torch.zeros(len(bills), 3)
mean_mass = torch.full((len(bills),), float(penguins.column("body_mass_g").mean()))
print(
    f"cross-entropy of a uniform guess over species: "
    f"{task_loss('cross_entropy', uniform_logits, penguins.species):.4g}"
)
print(
    f"squared error of the mean mass guess (g²): "
    f"{task_loss('mse', mean_mass, penguins.column('body_mass_g')):.4g}"
)

# %% [markdown]
# The same trivial guess costs about 1.1 on one task and about 646,000 g² on the other: the loss
# is part of the task, and its units come with it.
#
# Bad input is caught early. Asking for a loss that does not exist, or passing predictions of the
# wrong shape, gives a message that names the argument and the value:

# %%
for bad_call in (
    lambda: task_loss("hinge", uniform_logits, penguins.species),
    lambda: task_loss("mse", mean_mass[:, None], penguins.column("body_mass_g")),
):
    try:
        bad_call()
    except ValueError as error:
        print("ValueError:", error)

# %% [markdown]
# ## 5. Memorising versus generalising
#
# A model can drive its training loss to zero by memorising the draw it was given. What we want
# is low loss on *new* draws from the same task: generalisation. Train the same small network on
# n digit images for several n and compare accuracy on the n training images with accuracy on
# the held-out test images of section 2.

# %%
sizes = [10, 20, 50, 100, 200, 500, 1000]
digit_train, digit_test = tasks["digit"].subset(train_rows), tasks["digit"].subset(test_rows)
accuracy = {"train": [], "test": []}
for n in sizes:
    model = PooledModel(mlp(64, [32], 10))
    subset = digit_train.subset(torch.arange(n))
    train_multitask(model, [subset], steps=150, lr=0.01, batch_size=n, generator=generator)
    accuracy["train"].append(float(evaluate(model, [subset])[1][0]))
    accuracy["test"].append(float(evaluate(model, [digit_test])[1][0]))
for n, tr, te in zip(sizes, accuracy["train"], accuracy["test"], strict=True):
    print(f"n = {n:4d}: train accuracy {tr:.4g}, test accuracy {te:.4g}, gap {tr - te:.4g}")
print(f"(test accuracy on {len(digit_test)} held-out images)")
gaps = [tr - te for tr, te in zip(accuracy["train"], accuracy["test"], strict=True)]
assert gaps[0] > 0.3 and gaps[-1] < 0.1

# %% [markdown]
# With ten images the network reaches full training accuracy and a poor test accuracy: it has
# memorised the draw. With a thousand, the gap shrinks below 0.1: it has learned most of the task.
# Multi-task learning will matter most where a task has few examples of its own: other tasks can
# supply what its own data cannot.
#
# ## 6. Explore: the gap as n grows
#
# `explore(n)` draws the two accuracy curves and marks the chosen n. It only looks up the results
# computed above, so moving the slider redraws at once. The static figure below is the default.
# `interactive_figure(explore, n=slider)` puts the slider above the figure and calls `explore`
# again with the slider's value whenever it moves; every notebook ends with such an explorer.


# %%
def explore(n: int = 50) -> plt.Figure:
    """Train and test accuracy against the number of training images, with n marked."""
    n = check_choice("n", n, sizes)  # one of the trained sizes, else a ValueError naming them
    fig, ax = plt.subplots(layout="constrained")
    ax.plot(sizes, accuracy["train"], marker="o", label="train")
    ax.plot(sizes, accuracy["test"], marker="o", label="test")
    k = sizes.index(n)
    ax.vlines(n, accuracy["test"][k], accuracy["train"][k], color="k", linestyles=":")
    ax.annotate(f"gap {gaps[k]:.2f}", (n, (accuracy["train"][k] + accuracy["test"][k]) / 2))
    ax.set_xscale("log")
    ax.set_xlabel("training images n (log scale)")
    ax.set_ylabel("accuracy")
    ax.set_title("Memorising (large gap) versus generalising (small gap)")
    ax.legend()
    return fig


fig = explore(50)

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(explore, n=widgets.SelectionSlider(options=sizes, value=50, description="n"))

# %% [markdown]
# ## Summary
# - A task is T_i = {p_i(x), p_i(y|x), L_i}; a data set is a finite draw from it.
# - On the digits, three labelling rules on the same images are three tasks: a classifier for one
#   binary rule scores on the other only what the two rules share (their agreement rate, 0.6).
# - On the schools, one rule meets different input distributions; on the penguins, one set of
#   inputs meets losses whose scales differ by almost six orders of magnitude (1.1 against 646,000).
# - Memorising shows as a gap between training and test accuracy; it shrinks as n grows, which
#   is why tasks with little data are the ones that gain from sharing.
#
# ## Exercises
# 1. Define a fourth digit task, "is the digit a multiple of 3" (0, 3, 6, 9 count as multiples),
#    as a float tensor of 0/1 labels for all 1,797 images, like the binary rules above.
# 2. What fraction of the digit images have the *same* label under "parity" and under your
#    multiple-of-3 rule? Give a float.
# 3. In section 5, which is the smallest n whose train–test gap is below 0.2? Give the int.

# %%
multiple_of_3_labels = None  # a (1797,) float tensor of 0/1 labels
print(nb01.check_multiple_of_3(multiple_of_3_labels, digits.labels))

# %%
same_label_fraction = None  # a float between 0 and 1
print(nb01.check_same_label_fraction(same_label_fraction, digits.labels))

# %%
smallest_n = None  # one of the sizes in section 5
print(nb01.check_smallest_n(smallest_n, sizes, gaps))

# %% [markdown]
# ## References
# - Caruana, R. (1997). Multitask learning. *Machine Learning*, 28(1), 41–75.
# - Finn, C. (2022). CS330 Deep Multi-Task and Meta Learning, lecture 2: multi-task learning.
#   Stanford University.
# - Alpaydin, E. & Kaynak, C. (1998). Optical recognition of handwritten digits. UCI Machine
#   Learning Repository.
# - Goldstein, H., Rasbash, J., Yang, M., Woodhouse, G., Pan, H., Nuttall, D. & Thomas, S. (1993).
#   A multilevel analysis of school examination results. *Oxford Review of Education*, 19(4).
# - Horst, A. M., Hill, A. P. & Gorman, K. B. (2020). palmerpenguins: Palmer Archipelago
#   (Antarctica) penguin data. R package version 0.1.0.
# - Zhang, C., Bengio, S., Hardt, M., Recht, B. & Vinyals, O. (2017). Understanding deep learning
#   requires rethinking generalization. *ICLR*.
