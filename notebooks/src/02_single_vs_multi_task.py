# %% [markdown]
# # 02 · Single-task versus multi-task learning
#
# A single-task model learns f(y|x) for one task. A multi-task model learns f(y|x, z_i), one
# function for all tasks, told which task it is doing by a *task descriptor* z_i. This notebook
# trains both kinds on the London schools data, where each of 65 schools is a task, compares
# five descriptors, and measures who gains from sharing and who loses.
#
# ## Learning goals
# - Write the multi-task objective min_θ Σ_i L_i(θ) and the model f_θ(y|x, z_i).
# - Build five task descriptors (index as a number, one-hot, learned embedding, text, task
#   specification) and say what each can and cannot express.
# - Compare one model per task, one pooled model that ignores z, and one shared model conditioned
#   on z, task by task.
# - Show that sharing helps most where tasks have little data, and check whether any task loses.
#
# ## Before you start
# Read notebook 01 first: it defines a task and introduces the schools data, the training loop
# `train_multitask` and the widget helper.

# %%
import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from mtl_helpers.data import SCHOOL_GENDERS, load_schools, split_by_task
from mtl_helpers.exercises import nb02
from mtl_helpers.models import DescriptorModel, PerTaskModels, PooledModel, count_parameters
from mtl_helpers.plotting import plot_gain_by_size
from mtl_helpers.reproducibility import setup
from mtl_helpers.training import evaluate, task_subset_sampler, train_multitask
from mtl_helpers.validation import check_choice
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)

# %% [markdown]
# ## 1. From f(y|x) to f(y|x, z_i)
#
# With T tasks and a loss L_i per task, multi-task learning solves
#
# $$\min_\theta \; \sum_{i=1}^{T} \mathcal{L}_i(\theta),$$
#
# where one set of parameters θ serves every task and the model sees z_i, a description of task
# i, next to the input x. Three baselines frame what sharing can do:
#
# | model | parameters | what it assumes |
# |---|---|---|
# | one model per task, f_θi(y\|x) | T separate sets | tasks share nothing |
# | pooled, f_θ(y\|x) | one set, no z | tasks are identical |
# | conditioned, f_θ(y\|x, z_i) | one set, told the task | tasks share what they can |
#
# Each school is a task: predict a student's exam score at 16 (`normexam`) from the intake
# reading score and sex. We hold out 10 schools entirely (to ask later what a descriptor can say
# about a school never seen) and split the students of the other 55 into 70% training and 30%
# test, school by school.

# %%
schools = load_schools()
unseen = torch.randperm(schools.n_tasks, generator=generator)[:10].sort().values
seen = torch.tensor([i for i in range(schools.n_tasks) if i not in set(unseen.tolist())])
train_rows, test_rows = split_by_task(schools.school, 0.3, generator)


train, test = schools.task_data(train_rows, seen), schools.task_data(test_rows, seen)
all_rows = torch.arange(len(schools.y))
unseen_tasks = schools.task_data(all_rows, unseen)
train_sizes = torch.tensor([len(t) for t in train])
print(
    f"{len(train)} seen schools: {int(train_sizes.sum())} training students, "
    f"{sum(len(t) for t in test)} test students"
)
print(
    f"training students per school: min {int(train_sizes.min())}, "
    f"median {int(train_sizes.median())}, max {int(train_sizes.max())}"
)
print(f"{len(unseen_tasks)} unseen schools: {sum(len(t) for t in unseen_tasks)} students")

# %% [markdown]
# ## 2. Five task descriptors
#
# * **Index as a number**: z_i = i / T. Cheap, but it tells the model that school 7 lies between
#   schools 6 and 8, an order that means nothing.
# * **One-hot**: z_i = e_i, a vector with a single 1. Every task is equally far from every other;
#   nothing is said about how tasks relate.
# * **Learned embedding**: a trainable vector per task (here of size 4), equivalent to a linear
#   map of the one-hot vector. The model places similar tasks close together, but a new task has
#   no trained vector.
# * **Text**: a sentence describing the task, turned into a bag-of-words vector. Any task that can
#   be described can be placed, also a new one, but only as finely as the words allow.
# * **Task specification**: the task's known properties as numbers. Here: the school's gender
#   (mixed, boys, girls) as one-hot and its mean intake score.

# %%
n_tasks = schools.n_tasks
bands = torch.bucketize(
    schools.school_intake, schools.school_intake.quantile(torch.tensor([1 / 3, 2 / 3]))
)
sentences = [
    f"a {SCHOOL_GENDERS[g]} school with {('low', 'middle', 'high')[b]} intake"
    for g, b in zip(schools.school_gender.tolist(), bands.tolist(), strict=True)
]
vocabulary = sorted({word for sentence in sentences for word in sentence.split()})
bag_of_words = torch.tensor(
    [[float(word in sentence.split()) for word in vocabulary] for sentence in sentences]
)
specification = torch.cat(
    [nn.functional.one_hot(schools.school_gender, 3).float(), schools.school_intake[:, None]], dim=1
)
descriptors = {
    "index": (torch.arange(n_tasks, dtype=torch.float32) / n_tasks)[:, None],
    "one-hot": torch.eye(n_tasks),
    "learned": 0.1 * torch.randn(n_tasks, 4, generator=generator),
    "text": bag_of_words,
    "specification": specification,
}
for school in (0, 1, 2):
    print(f"school {school}: '{sentences[school]}'")
print("vocabulary:", vocabulary)
for name, table in descriptors.items():
    distinct = len(torch.unique(table, dim=0))
    print(
        f"{name:13s}: z has {table.shape[1]:2d} numbers, {distinct} distinct for {n_tasks} schools"
    )

# %% [markdown]
# The text descriptor gives only 9 distinct sentences for 65 schools: schools with the same
# sentence are indistinguishable to the model. The other descriptors tell every school apart.
#
# ## 3. Three ways to train: per task, pooled, conditioned
#
# To see the designs clearly, every model here is *linear*. The per-task model fits
# y = w_i·x + b_i for each school. The pooled model fits one y = w·x + b for all. The
# conditioned model concatenates z_i to the input of one linear layer, so it fits
# y = w·x + v·z_i + b: a slope shared by all schools plus a school-dependent shift v·z_i. With a
# one-hot z_i that shift is a free intercept per school. (Statisticians fit this data with a
# "random intercept" model, which also *shrinks* each school's intercept towards the average, the
# more so the fewer students the school has; ours leaves the intercepts free.)
#
# Each step samples 16 schools, then 16 students from each (the lecture's Algorithm 1, which
# notebook 06 studies), and takes an Adam step on the sum of their mean squared errors. To see
# what data size does, we train every model twice: with all training students, and with at most
# 5 per school.
#
# The models are built from three wrappers of `mtl_helpers.models`, each called as
# `model(x, task)`: `PerTaskModels(make_net, T)` holds T networks and runs network i for task i;
# `PooledModel(net)` (notebook 01) runs one network whatever the task; `DescriptorModel(net,
# table)` looks up row i of a (T, d) table of descriptors and calls `net(x, z_i)`, and with
# `learnable=True` trains the table with the network (the learned embedding).
# `task_subset_sampler(sizes, tasks_per_step=16, batch_size=16)` tells `train_multitask` which
# schools and students each step uses.


# %%
class ConcatLinear(nn.Module):
    """f(y|x, z) = w·x + v·z + b: one linear layer on the concatenation [x; z]."""

    def __init__(self, x_dim: int, z_dim: int) -> None:
        super().__init__()
        self.layer = nn.Linear(x_dim + z_dim, 1)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.layer(torch.cat([x, z], dim=-1))  # (n, x_dim + z_dim) -> (n, 1)


def make_model(kind: str) -> nn.Module:
    if kind == "per task":
        return PerTaskModels(lambda i: nn.Linear(2, 1), len(seen))
    if kind == "pooled":
        return PooledModel(nn.Linear(2, 1))
    table = descriptors[kind][seen]
    return DescriptorModel(ConcatLinear(2, table.shape[1]), table, learnable=kind == "learned")


kinds = ["per task", "pooled", *descriptors]
caps = {"all": None, "5": 5}  # students per school used for training
test_error, models = {}, {}
for cap_name, cap in caps.items():
    capped = [task.subset(torch.arange(min(len(task), cap or len(task)))) for task in train]
    sampler = task_subset_sampler([len(t) for t in capped], tasks_per_step=16, batch_size=16)
    for kind in kinds:
        model = make_model(kind)
        history = train_multitask(
            model,
            capped,
            test=test,
            steps=150,
            lr=0.03,
            sampler=sampler,
            generator=generator,
            eval_every=150,
        )
        test_error[kind, cap_name], models[kind, cap_name] = history.final("test_loss"), model
print("mean test MSE over the 55 schools")
print(f"{'model':13s} {'parameters':>10s} {'all students':>13s} {'5 per school':>13s}")
for kind in kinds:
    print(
        f"{kind:13s} {count_parameters(models[kind, 'all']):10d} "
        f"{test_error[kind, 'all'].mean():13.4g} {test_error[kind, '5'].mean():13.4g}"
    )

# %% [markdown]
# With all students, the one-hot and learned conditioned models are the best, slightly ahead of
# the per-task models (the one-hot model with 68 parameters against 165), and the pooled model,
# which cannot tell schools apart, is clearly worse. With 5 students per school the per-task
# models fall far behind: three parameters fitted to five points overfit, while every shared
# model estimates the slope from all schools at once. At that size, knowing the school no longer
# helps: the pooled model and the specification model are the best, and the one-hot, learned and
# index models are slightly worse than pooled, because each school's own shift is estimated from
# 5 noisy points.
#
# ## 4. Who gains from sharing, and does anyone lose?
#
# Compare the one-hot conditioned model with the per-task models school by school, ordered by
# how many training students the school has (all students used).

# %%
gain = test_error["per task", "all"] - test_error["one-hot", "all"]  # > 0: sharing helped
order = torch.argsort(train_sizes, stable=True)
print("school  students  per-task MSE  one-hot MSE    gain")
for k in torch.cat([order[:4], order[-3:]]).tolist():
    print(
        f"{int(seen[k]):6d}  {int(train_sizes[k]):8d}  "
        f"{test_error['per task', 'all'][k]:12.4g}  {test_error['one-hot', 'all'][k]:11.4g}  "
        f"{gain[k]:6.4g}"
    )
small = train_sizes <= 20
for label, group in (("at most 20 students", small), ("more than 20 students", ~small)):
    standard_error = gain[group].std() / int(group.sum()) ** 0.5
    print(
        f"mean gain, {int(group.sum())} schools with {label}: {gain[group].mean():.4g} "
        f"(standard error {standard_error:.4g})"
    )
print(f"schools that lose from sharing: {int((gain < 0).sum())} of {len(gain)}")
few = test_error["per task", "5"].mean() - test_error["one-hot", "5"].mean()
print(f"mean gain with 5 students per school (section 3): {few:.4g}")
assert few > 5 * gain.mean()  # with little data per task, sharing gains far more

plot_gain_by_size(
    train_sizes, gain, "test MSE per task − test MSE shared", "Gain from one shared model"
)
plt.show()

# %% [markdown]
# With all students the gains are small and noisy: the five smallest schools gain a little more
# on average than the others, but the standard errors are as large as the difference, and with
# one or two test students per small school single points say little. Nearly half of the
# schools lose: their test error is lower with their own model. Sharing one slope pulls each
# school towards what the others do, which helps a school with little data and can hurt one that
# really differs (notebook 07 studies this negative transfer). The clear evidence for "little
# data, large gain" is the experiment of section 3: with 5 students per school the mean gain is
# many times larger.
#
# ## 5. What can a descriptor say about a school it has never seen?
#
# For the 10 held-out schools, a one-hot or learned descriptor has no trained entry: the model
# knows nothing about them. Text and specification describe a new school in the same terms as
# the old ones, so the model can place it.

# %%
unseen_error = {}
for kind in ("text", "specification"):
    model = models[kind, "all"]
    model.descriptors = descriptors[kind][unseen]  # the new schools' descriptors
    unseen_error[kind] = float(evaluate(model, unseen_tasks)[0].mean())
unseen_error["pooled (no z)"] = float(evaluate(models["pooled", "all"], unseen_tasks)[0].mean())
for name, value in unseen_error.items():
    print(f"{name:14s}: mean MSE on the 10 unseen schools {value:.4g}")

# %% [markdown]
# Describing a school in words or numbers lets the shared model predict a school it never trained
# on, at least as well as ignoring the school altogether. A one-hot vector cannot: the new
# school's column was never used.
#
# ## 6. Explore: descriptors and school size
#
# `explore(descriptor, students_per_school)` compares one descriptor with the per-task and
# pooled models, trained with all students or with 5 per school: on the left the mean test
# error, on the right each school's gain from the conditioned model over its own model. The
# results come from the runs above, so moving the controls redraws at once.


# %%
def explore(descriptor: str = "one-hot", students_per_school: str = "5") -> plt.Figure:
    """Mean test MSE of three models, and each school's gain from sharing, for one setting."""
    descriptor = check_choice("descriptor", descriptor, descriptors)
    students_per_school = check_choice("students_per_school", students_per_school, caps)
    names = ["per task", "pooled", descriptor]
    means = [float(test_error[name, students_per_school].mean()) for name in names]
    school_gain = (
        test_error["per task", students_per_school] - test_error[descriptor, students_per_school]
    )
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
    left.bar(names, means, color=["tab:gray", "tab:orange", "tab:blue"])
    left.set_ylabel("mean test MSE over schools")
    left.set_title(f"trained on {students_per_school} students per school")
    right.scatter(train_sizes.tolist(), school_gain.tolist(), s=12)
    right.axhline(0, color="k", linewidth=0.8)
    right.set_xscale("log")
    right.set_xlabel("students of the school in the training split (log)")
    right.set_ylabel("MSE per task − MSE shared")
    right.set_title(f"gain from {descriptor}: {int((school_gain > 0).sum())} of 55 schools gain")
    return fig


fig = explore()

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(
    explore,
    descriptor=widgets.Dropdown(options=list(descriptors), value="one-hot"),
    students_per_school=widgets.ToggleButtons(options=list(caps), value="5"),
)

# %% [markdown]
# ## Summary
# - Multi-task learning minimises Σ_i L_i over one set of parameters; the model f(y|x, z_i) is
#   told the task by a descriptor z_i.
# - Index, one-hot and learned descriptors only name a task; text and specifications describe
#   it, which lets a model place a task it never trained on, as finely as the description goes.
# - On the schools, the one-hot conditioned model beats one model per school on average, with 68
#   parameters against 165, and the pooled model that ignores z is worse than both. With 5
#   students per school, one model per school is by far the worst.
# - Sharing gains most where tasks have little data; with all students nearly half of the schools
#   lose, the first sign of negative transfer.
#
# ## Exercises
# 1. The table of section 3 counts 165 parameters for the 55 per-task models and 68 for the
#    one-hot model (its z has 65 entries, one per school of the data set). How many would each
#    have with 10 input features and 100 schools, z one-hot over the 100? Give a pair of ints
#    `(per_task, one_hot)`.
# 2. Which descriptor kinds could place one of the 10 unseen schools? Give a set of names from
#    `descriptors`.
# 3. Do small schools lose from sharing less often? Using `gain` and `small` from section 4,
#    compute the fraction of the schools with at most 20 training students whose gain is below
#    zero, and compare it with the fraction over all 55 schools printed there. Give the float.

# %%
parameter_counts = None  # a pair of ints (per_task, one_hot)
print(nb02.check_parameter_counts(parameter_counts))

# %%
descriptors_for_new_tasks = None  # a set of names, e.g. {"one-hot"}
print(nb02.check_new_task_descriptors(descriptors_for_new_tasks))

# %%
fraction_losing_small = None  # a float between 0 and 1
print(nb02.check_fraction_losing(fraction_losing_small, gain, small))

# %% [markdown]
# ## References
# - Caruana, R. (1997). Multitask learning. *Machine Learning*, 28(1), 41–75.
# - Finn, C. (2022). CS330 Deep Multi-Task and Meta Learning, lecture 2: multi-task learning.
#   Stanford University.
# - Goldstein, H., Rasbash, J., Yang, M., Woodhouse, G., Pan, H., Nuttall, D. & Thomas, S. (1993).
#   A multilevel analysis of school examination results. *Oxford Review of Education*, 19(4).
# - Ruder, S. (2017). An overview of multi-task learning in deep neural networks. arXiv:1706.05098.
# - Zhang, Y. & Yang, Q. (2021). A survey on multi-task learning. *IEEE Transactions on Knowledge
#   and Data Engineering*, 34(12).
