# %% [markdown]
# # 03 · Telling a network which task it is doing
#
# A multi-task network needs to know which task an input belongs to. The common way is a task
# descriptor z, here a one-hot vector with a 1 in the slot of task i, fed to one network
# f(x, z). This notebook writes the familiar designs (independent networks, one shared network,
# one head per task) as choices of *where z enters and how*, checks the algebra numerically,
# counts the parameters each design spends per task, and shows on a small family of tasks why
# *multiplying* by a function of z can do what *adding* it cannot.
#
# ## Learning goals
# - Write independent networks, an all-shared network and a multi-head network as one network
#   f(x, z) conditioned on a one-hot task descriptor z.
# - Show that concatenating z to a layer's input and adding a projection W_z z are the same
#   layer, and say what this does and does not imply.
# - Count the shared parameters θ_sh and the task-specific parameters θ_i of each design as the
#   number of tasks T grows.
# - Recognise a task family that additive conditioning fits poorly and multiplicative
#   conditioning (FiLM) fits well.
#
# ## Before you start
# Notebook 01 defines a task and the data sets; notebook 02 introduces the training loop
# `train_multitask`, independent per-task models and `DescriptorModel`, which looks up task i's
# descriptor z_i and calls `net(x, z)`. You need `nn.Linear`, ReLU and one-hot vectors.

# %%
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from mtl_helpers.conditioning import (
    CONDITIONING_KINDS,
    ConcatConditioning,
    MultiHeadConditioning,
    MultiplicativeGating,
    concat_as_additive,
    make_conditioned,
    plot_task_predictions,
)
from mtl_helpers.data import load_schools, split_by_task
from mtl_helpers.exercises import nb03
from mtl_helpers.models import DescriptorModel, PooledModel, count_parameters, mlp
from mtl_helpers.plotting import plot_task_bars
from mtl_helpers.reproducibility import seed_everything, setup
from mtl_helpers.tasks import Task
from mtl_helpers.training import train_multitask
from mtl_helpers.validation import check_choice, task_index
from mtl_helpers.widgets import interactive_figure

generator = setup(seed=0)  # seeds, one thread, deterministic kernels, figure defaults

# %% [markdown]
# ## 1. Independent networks are multiplicative gating
#
# Give each of T tasks its own network f_t, with nothing shared. Written as one network of x
# and a one-hot z, this is
#
# $$f(\mathbf{x}, \mathbf{z}) = \sum_{t=1}^{T} z_t\, f_t(\mathbf{x}),$$
#
# a *gate*: z multiplies every network's output by 0 except the selected one, which it multiplies
# by 1. `MultiplicativeGating` builds exactly this (it skips a network whose gate is 0 for the
# whole batch, since its term is exactly 0). Multiplying by 1 is exact in floating point, so the
# gated output should equal the selected network's output bit for bit.

# %%
n_tasks = 4
gated = MultiplicativeGating(x_dim=2, n_tasks=n_tasks, hidden=[8], out_dim=1)
x = torch.randn(5, 2, generator=generator)
one_hot = torch.eye(n_tasks)
for task in range(n_tasks):
    z = one_hot[task].expand(len(x), -1)  # (5, T): the same descriptor for every row
    assert torch.equal(gated(x, z), gated.nets[task](x))
print(f"gated output equals the selected network's output exactly for all {n_tasks} tasks")
one_network = count_parameters(gated.nets[0])
print(f"one network: {one_network} parameters; all {n_tasks}: {count_parameters(gated)}")

# %% [markdown]
# Every parameter is task-specific: θ = (θ_1, ..., θ_T) and θ_sh is empty. Each new task adds a
# whole network (here 33 parameters), and no task can learn anything from another's data.
#
# ## 2. All shared: concatenate z to the input
#
# The opposite design shares one network and feeds it [x; z]. Its first layer has a weight
# matrix W of shape (H, x_dim + T). The column that multiplies z_i is touched only by task i's
# data: those H numbers are θ_i, and everything else is θ_sh.

# %%
concat = ConcatConditioning(x_dim=2, z_dim=n_tasks, hidden=[8], out_dim=1)
first_layer = concat.net[0]
task_columns = first_layer.weight[:, 2:]  # (H, T): column i is θ_i
per_task = task_columns[:, 0].numel()
shared = count_parameters(concat) - task_columns.numel()
print(f"first layer weight {tuple(first_layer.weight.shape)}; θ_i: {per_task} numbers per task")
print(f"θ_sh: {shared} parameters; total {count_parameters(concat)}")

# %% [markdown]
# The cost of a task is now H = 8 numbers instead of a whole network. The table counts the
# parameters of every design in this notebook, with x of width 2, one hidden layer of 8 units
# and one output, as T grows (65 is the number of schools below). `multi_head` and `film` are
# introduced in sections 4 and 5.

# %%
task_counts = [2, 8, 65]
print(f"{'design':>10s}" + "".join(f"{f'T = {t}':>10s}" for t in task_counts))
counts = {}
for kind in CONDITIONING_KINDS:
    counts[kind] = [count_parameters(make_conditioned(kind, 2, t, [8], 1)) for t in task_counts]
    print(f"{kind:>10s}" + "".join(f"{c:>10d}" for c in counts[kind]))
assert counts["gating"][-1] == 65 * counts["gating"][0] // 2  # independent: linear in T
assert counts["concat"][1] - counts["concat"][0] == 6 * 8  # concat: H = 8 more per task

# %% [markdown]
# Independent networks grow by a whole network per task; `concat` and `additive` by H = 8; a
# multi-head network by one head (H + 1 = 9); FiLM by two numbers per hidden unit (2H = 16).
#
# ## 3. Concatenation is addition
#
# Split W into the columns that read x and those that read z, W = [W_x, W_z]. Then
#
# $$W \begin{bmatrix}\mathbf{x}\\ \mathbf{z}\end{bmatrix} + \mathbf{b}
#   = W_x \mathbf{x} + W_z \mathbf{z} + \mathbf{b}.$$
#
# So "concatenate z" and "add a projection of z" are one and the same layer. To see it on a
# trained layer, train the `concat` design on the London schools (Goldstein et al., 1993): each of
# the 65 schools is a task, x = (intake reading score, girl), y = exam score at 16.

# %%
schools = load_schools()
train_rows, test_rows = split_by_task(schools.school, 0.25, generator)


school_train, school_test = schools.task_data(train_rows), schools.task_data(test_rows)
n_schools = schools.n_tasks
school_models = {
    "pooled (no z)": PooledModel(mlp(2, [8], 1)),
    "concat z": DescriptorModel(ConcatConditioning(2, n_schools, [8], 1), torch.eye(n_schools)),
}
school_mse = {}
for name, model in school_models.items():
    history = train_multitask(
        model,
        school_train,
        steps=100,
        lr=0.02,
        batch_size=16,
        generator=seed_everything(1),
        test=school_test,
        eval_every=100,
    )
    sizes = torch.tensor([len(t) for t in school_test], dtype=torch.float32)
    school_mse[name] = float((history.final() * sizes).sum() / sizes.sum())
    print(f"{name:>14s}: test MSE over all students {school_mse[name]:.4g}")
assert school_mse["concat z"] < school_mse["pooled (no z)"]

# %% [markdown]
# Telling the network the school lowers the test error. Now split the trained first layer with
# `concat_as_additive` and compare the two forms on every test student.

# %%
trained_layer = school_models["concat z"].net.net[0]
additive_layer = concat_as_additive(trained_layer, x_dim=2)
test_x = schools.x[test_rows]
test_z = torch.eye(n_schools)[schools.school[test_rows]]  # (n, 65) one-hot rows
with torch.no_grad():
    concatenated = trained_layer(torch.cat([test_x, test_z], dim=-1))
    added = additive_layer(test_x, test_z)
difference = float((concatenated - added).abs().max())
print(f"largest absolute difference over {len(test_x)} students: {difference:.1e}")
assert difference < 1e-5

# %% [markdown]
# The two agree up to float rounding (the sums are taken in a different order). What follows,
# and what does not:
#
# - With a one-hot z, W_z z is just column i of W_z. So z enters as a **task-dependent bias**:
#   school i's network is the shared network with first-layer bias b + W_z[:, i]. The next cell
#   checks that on school 0.
# - It does *not* follow that all designs are alike. Whether z is concatenated or added is
#   irrelevant; what matters is **where** z enters (first layer, last layer, every layer) and
#   **what non-linearity follows**. A bias before a ReLU can shift where each unit switches on,
#   but cannot change a unit's direction or its output weight.

# %%
school = 0
trained_net = school_models["concat z"].net.net  # Linear(2 + 65, 8), ReLU, Linear(8, 1)
school_net = mlp(2, [8], 1)  # the same network without z
with torch.no_grad():
    school_net[0].weight.copy_(additive_layer.x_part.weight)
    school_net[0].bias.copy_(additive_layer.task_bias(torch.eye(n_schools)[school : school + 1])[0])
    school_net[2].load_state_dict(trained_net[2].state_dict())
    x_school = school_test[school].x
    through_z = school_models["concat z"](x_school, school)
    through_bias = school_net(x_school).squeeze(-1)
bias_gap = float((through_z - through_bias).abs().max())
print(
    f"school {school}, network with z versus network with bias: largest difference {bias_gap:.1e}"
)
assert torch.allclose(through_z, through_bias, atol=1e-5)

# %% [markdown]
# ## 4. Multi-head: conditioning the last layer
#
# A multi-head network shares a trunk h(x) and gives each task its own output layer
# (W_t, b_t). Stack the heads into one last layer of T·C rows (C outputs per task). Computing
# every row and keeping task i's C rows is the same as
#
# $$f(\mathbf{x}, \mathbf{z}) = \sum_t z_t \,(W_t\, h(\mathbf{x}) + \mathbf{b}_t),$$
#
# conditioning at the last layer where z *selects rows*. Note the product z_t · h: this is
# multiplicative, unlike concatenation at the input. We check the identity on the schools.

# %%
multi_head = MultiHeadConditioning(x_dim=2, n_tasks=n_schools, hidden=[8], out_dim=1)
with torch.no_grad():
    every_head = multi_head.all_heads(test_x)  # (n, T, C): all T·C rows of the stacked layer
    selected = every_head[torch.arange(len(test_x)), schools.school[test_rows]]  # (n, C)
    conditioned = multi_head(test_x, test_z)
difference = float((selected - conditioned).abs().max())
print(f"stacked last layer: {tuple(multi_head.head_weight.shape)} (T, C, H)")
print(f"selected rows versus z-conditioned output: largest difference {difference:.1e}")
assert difference < 1e-5

# %% [markdown]
# ## 5. Multiplicative conditioning: FiLM
#
# Feature-wise linear modulation (FiLM; Perez et al., 2018) lets z scale and shift every hidden
# unit: h ← γ(z) ⊙ h + β(z). The shift β is the additive conditioning of section 3; the new part
# is the scale γ.
#
# A task family where that matters: sixteen linear tasks on the square [−1, 1]², task t being
# y = cos(φ_t) x₁ + sin(φ_t) x₂ with φ_t = 22.5°·t. The tasks share everything except the
# *direction* in which y grows. Give every design the same small network (one hidden layer of
# four units) and the same training: 150 steps of Adam on 64 examples per task.

# %%
n_planes = 16
angles = [2 * math.pi * t / n_planes for t in range(n_planes)]


def square_inputs(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, 2, generator=generator) * 2 - 1  # p(x): uniform on [-1, 1]²


def plane_task(angle: float) -> Task:
    direction = torch.tensor([math.cos(angle), math.sin(angle)])
    name = f"{math.degrees(angle):g}°"
    return Task.from_sampler(name, square_inputs, lambda x, g: x @ direction, loss="mse")


planes = [plane_task(a) for a in angles]
plane_train = [task.draw(64, generator) for task in planes]
plane_test = [task.draw(200, generator) for task in planes]
plane_models, plane_mse = {}, {}
plane_training = {"steps": 150, "lr": 0.03, "batch_size": 32, "test": plane_test, "eval_every": 150}
for kind in CONDITIONING_KINDS:
    model_generator = seed_everything(1)  # the same starting seed for every design
    net = make_conditioned(kind, x_dim=2, n_tasks=n_planes, hidden=[4], out_dim=1)
    plane_models[kind] = DescriptorModel(net, torch.eye(n_planes))
    history = train_multitask(
        plane_models[kind], plane_train, generator=model_generator, **plane_training
    )
    plane_mse[kind] = history.final()
variance = float(torch.cat([t.y for t in plane_test]).var())
print(f"variance of the targets (MSE of predicting 0): {variance:.4g}")
for kind in CONDITIONING_KINDS:
    mse = plane_mse[kind]
    print(
        f"{kind:>10s}: {count_parameters(plane_models[kind]):3d} parameters, "
        f"test MSE mean {mse.mean():.4g}, worst task {mse.max():.4g}"
    )
for kind in ("concat", "additive"):
    print(
        f"{kind} mean MSE / film's: {plane_mse[kind].mean() / plane_mse['film'].mean():.4g}; "
        f"/ multi_head's: {plane_mse[kind].mean() / plane_mse['multi_head'].mean():.4g}"
    )
assert plane_mse["film"].mean() < plane_mse["additive"].mean() / 5
assert plane_mse["film"].mean() < plane_mse["concat"].mean() / 5
assert plane_mse["multi_head"].mean() < plane_mse["additive"].mean() / 1000
assert plane_mse["multi_head"].mean() < plane_mse["concat"].mean() / 1000

# %% [markdown]
# Section 3 showed that `concat` and `additive` compute the same functions, yet they end with
# different errors here (means 0.02322 and 0.01869). The cause is the start, not the design:
# PyTorch draws a linear layer's initial weights uniformly within ±1/√(number of inputs), so the
# concatenated first layer (2 + 16 inputs) starts with other weights than the two parts of the
# additive one (2 and 16 inputs). Give the additive network concat's starting weights, split as in
# section 3, and the same batches, and it trains to concat's errors:

# %%
model_generator = seed_everything(1)  # the seed of the concat run: the same start and batches
concat_start = make_conditioned("concat", x_dim=2, n_tasks=n_planes, hidden=[4], out_dim=1)
twin = make_conditioned("additive", x_dim=2, n_tasks=n_planes, hidden=[4], out_dim=1)
twin.first = concat_as_additive(concat_start.net[0], x_dim=2)  # W = [W_x, W_z], split
twin.rest[1][0].load_state_dict(concat_start.net[2].state_dict())  # the same output layer
history = train_multitask(
    DescriptorModel(twin, torch.eye(n_planes)),
    plane_train,
    generator=model_generator,
    **plane_training,
)
twin_mse = history.final()
concat_mse = plane_mse["concat"]
print(f"additive from concat's start: test MSE mean {twin_mse.mean():.4g}")
print(f"largest per-task difference from concat: {float((twin_mse - concat_mse).abs().max()):.1e}")
assert torch.allclose(twin_mse, plane_mse["concat"], rtol=1e-3)

# %% [markdown]
# `concat` and `additive` (one design, section 3) leave a mean error 10.35 and 8.335 times FiLM's,
# and over a thousand times multi-head's.
# With z only shifting the units' thresholds, each of the four units keeps its direction w_j and
# output weight v_j for every task: the network can switch units on and off and bend the
# surface, but it cannot turn a plane continuously through sixteen directions. FiLM can: a scale
# γ_t per unit gives y = Σ_j v_j γ_{t,j} (w_j·x + ...) on the units that are on, any direction
# from two of them. The multi-head design fits too, for the same reason: its z multiplies the
# trunk's features. Independent networks (`gating`) fit each plane on its own, at the highest
# parameter count.

# %%
fig = plot_task_bars(
    {kind: plane_mse[kind] for kind in CONDITIONING_KINDS},
    [t.name for t in plane_test],
    ylabel="test MSE",
    title="Sixteen tilted planes, four hidden units: where z enters matters",
)
fig.axes[0].set_xlabel("task: direction φ_t of the plane")
plt.show()

# %% [markdown]
# ## 6. Explore: conditioning kind and task
#
# Walk once around the unit circle, x = (cos θ, sin θ): task t's true output is cos(θ − φ_t), a
# wave whose phase is the task. `explore(kind, task)` draws the trained model's prediction
# along this path. Everything is computed here, before the widget, so moving a control only
# redraws. A kind or task that was not trained stops `explore` with a message listing the valid
# ones; a task may be given by index or by its name, such as "45°".

# %%
path_degrees = torch.linspace(0, 360, 121)
path = torch.stack(
    [torch.cos(torch.deg2rad(path_degrees)), torch.sin(torch.deg2rad(path_degrees))], 1
)
path_predictions = {}
with torch.no_grad():
    for kind, model in plane_models.items():
        path_predictions[kind] = torch.stack([model(path, t) for t in range(n_planes)])  # (T, G)
path_targets = torch.stack([torch.cos(torch.deg2rad(path_degrees) - a) for a in angles])


def explore(kind: str = "additive", task: int = 1) -> plt.Figure:
    """Prediction of the ``kind`` model for ``task`` along the unit circle, with the truth."""
    check_choice("kind", kind, CONDITIONING_KINDS)
    task = task_index("task", task, [p.name for p in planes])
    return plot_task_predictions(
        path_degrees,
        path_predictions[kind][task],
        path_targets[task],
        title=f"{kind}, task φ = {planes[task].name}: test MSE {plane_mse[kind][task]:.4g}",
        x_label="direction θ of x on the unit circle (degrees)",
        y_label="output y",
    )


fig = explore("additive", 1)

# %%
# NBVAL_IGNORE_OUTPUT
interactive_figure(
    explore,
    kind=widgets.Dropdown(options=CONDITIONING_KINDS, value="additive", description="kind"),
    task=widgets.IntSlider(value=1, min=0, max=n_planes - 1, description="task"),
)

# %% [markdown]
# ## Summary
# - One network f(x, z) with a one-hot z covers the designs: independent networks gate T
#   networks with z; an all-shared network reads [x; z]; a multi-head network lets z select the
#   rows of its last layer; FiLM lets z scale and shift every hidden unit.
# - Concatenation is addition, W[x; z] + b = W_x x + W_z z + b, shown on a trained layer to float
#   rounding; with a one-hot z it is a task-dependent bias.
# - Designs differ in where z enters and what non-linearity follows. The task-specific cost per
#   new task ranges from a whole network (gating) to H numbers (concat).
# - On sixteen tilted planes with four hidden units, concat and additive conditioning leave a
#   mean error 10.35 and 8.335 times FiLM's and over a thousand times multi-head's: in both of
#   those, z multiplies features.
#
# ## Exercises
# 1. `ConcatConditioning(x_dim=2, z_dim=T, hidden=[16, 16], out_dim=1)`: how many parameters does
#    one more task add? Give an int.
# 2. `MultiHeadConditioning(x_dim=2, n_tasks=T, hidden=[16, 16], out_dim=3)`: how many
#    parameters does one more task add? Give an int.
# 3. If every γ of a FiLM network were fixed to 1, which kind of conditioning of this notebook
#    would remain at each hidden layer? Give one of `CONDITIONING_KINDS`.

# %%
concat_cost = None  # an int
print(nb03.check_concat_cost(concat_cost))

# %%
head_cost = None  # an int
print(nb03.check_head_cost(head_cost))

# %%
film_without_scale = None  # a string from CONDITIONING_KINDS
print(nb03.check_film_without_scale(film_without_scale))

# %% [markdown]
# ## References
# - Caruana, R. (1997). Multitask learning. *Machine Learning*, 28(1), 41–75.
# - Finn, C. (2022). CS330 Deep Multi-Task and Meta Learning, lecture 2: multi-task learning.
#   Stanford University.
# - Perez, E., Strub, F., de Vries, H., Dumoulin, V. & Courville, A. (2018). FiLM: visual
#   reasoning with a general conditioning layer. *AAAI*.
# - Dumoulin, V., Perez, E., Schucher, N., Strub, F., de Vries, H., Courville, A. & Bengio, Y.
#   (2018). Feature-wise transformations. *Distill*.
# - Goldstein, H., Rasbash, J., Yang, M., Woodhouse, G., Pan, H., Nuttall, D. & Thomas, S. (1993).
#   A multilevel analysis of school examination results. *Oxford Review of Education*, 19(4).
# - Ruder, S. (2017). An overview of multi-task learning in deep neural networks. *arXiv
#   1706.05098*.
