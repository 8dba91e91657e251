"""Multi-task architectures between "all shared" and "nothing shared", and a two-digit data set.

Introduced in notebook 04. Each model takes a flat input x: (n, in_dim), computes every task's
output from it with ``forward_all(x)`` → list of (n, C_t) logits, and answers the training
loop's ``model(x, task)`` with the output of one task: (n, C_task), or (n,) for a task with one
output (a regression or ``bce`` task), as :class:`~mtl_helpers.models.HardSharingModel` does.

- :class:`HardSharing`: one trunk, one head per task.
- :class:`IndependentNets`: one whole network per task.
- :class:`CrossStitchNet`: one column per task, mixed after every hidden layer by a learned
  (T, T) matrix (Misra et al., 2016).
- :class:`AttentionNet`: a shared trunk and, per task, sigmoid masks over its features that are
  computed from those features, so they depend on the input (MTAN, Liu et al., 2019).
- :class:`RelationNet`: shared lower layers, task-specific top layers tied by a prior with a
  learned task covariance (after Long et al., 2017).
- :class:`TaskQueryNet`: a latent array reads the input by cross-attention and each task reads the
  latents with its own learned query (after Perceiver IO, Jaegle et al., 2021).

:func:`digit_pairs` builds the data: two 8×8 handwritten digits side by side with overlapping
columns, a small version of MultiMNIST (Sabour et al., 2017); the left and the right digit are
the two tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from mtl_helpers.models import mlp
from mtl_helpers.plotting import plot_heatmap
from mtl_helpers.tasks import TaskData
from mtl_helpers.training import Backward
from mtl_helpers.validation import (
    check_generator,
    check_positive_float,
    check_positive_int,
    check_same_length,
    check_scalar_tensor,
    check_tensor,
)


def digit_pairs(
    images: torch.Tensor,
    labels: torch.Tensor,
    n_pairs: int,
    generator: torch.Generator,
    overlap: int = 4,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Paste two randomly drawn digits side by side; the right one overlaps ``overlap`` columns.

    images: (N, 8, 8) in [0, 1]; labels: (N,) int64. Returns ``(pairs, left, right)``:
    pairs (n_pairs, 8, 16 - overlap) where overlapping pixels take the brighter value, and the
    left and right digit classes, each (n_pairs,).
    """
    check_tensor("images", images, ndim=3, dtype_kind="float")
    check_tensor("labels", labels, ndim=1, dtype_kind="int")
    if len(images) != len(labels):
        raise ValueError(
            f"images and labels must have the same length, got {len(images)} and {len(labels)}"
        )
    if len(images) < 2:
        raise ValueError(f"images must hold at least 2 digits to pair, got {len(images)}")
    check_positive_int("n_pairs", n_pairs)
    check_generator("generator", generator)
    if isinstance(overlap, bool) or not isinstance(overlap, int):
        raise TypeError(f"overlap must be an int, got {type(overlap).__name__} {overlap!r}")
    height, width = images.shape[1:]
    if not 0 <= overlap < width:
        raise ValueError(f"overlap must be in 0..{width - 1} columns, got {overlap}")

    left = torch.randint(len(images), (n_pairs,), generator=generator)
    right = torch.randint(len(images), (n_pairs,), generator=generator)
    canvas = torch.zeros(n_pairs, height, 2 * width - overlap)
    canvas[:, :, :width] = images[left]
    start = width - overlap
    canvas[:, :, start:] = torch.maximum(canvas[:, :, start:], images[right])
    return canvas, labels[left], labels[right]


def two_digit_tasks(
    pairs: torch.Tensor, left: torch.Tensor, right: torch.Tensor
) -> tuple[TaskData, TaskData]:
    """The two tasks on the same pair images: ``left digit`` and ``right digit`` (10 classes).

    pairs: (n, H, W) → each task's x is (n, W·H), flattened column by column, so that each
    block of H consecutive values is one image column (a token for :class:`TaskQueryNet`).
    left, right: (n,) int64 digit classes, as :func:`digit_pairs` returns them.
    """
    check_tensor("pairs", pairs, ndim=3, dtype_kind="float")
    check_tensor("left", left, ndim=1, dtype_kind="int")
    check_tensor("right", right, ndim=1, dtype_kind="int")
    check_same_length("pairs", pairs, "left", left)
    check_same_length("pairs", pairs, "right", right)
    x = pairs.transpose(1, 2).reshape(len(pairs), -1)
    return (
        TaskData("left digit", x, left, "cross_entropy"),
        TaskData("right digit", x, right, "cross_entropy"),
    )


def _check_sizes(in_dim: int, hidden: Sequence[int], out_dims: Sequence[int]) -> list[int]:
    check_positive_int("in_dim", in_dim)
    for name, value in (("hidden", hidden), ("out_dims", out_dims)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a sequence of ints, got {type(value).__name__}")
    widths = [check_positive_int("hidden width", h) for h in hidden]
    if not widths:
        raise ValueError("hidden must hold at least one width, got none")
    for c in out_dims:
        check_positive_int("output width", c)
    if len(out_dims) < 2:
        raise ValueError(f"out_dims must name at least 2 tasks' output widths, got {out_dims!r}")
    return widths


class MultiTaskNet(nn.Module):
    """Base class: subclasses define ``forward_all``; ``forward(x, task)`` picks one output."""

    in_dim: int
    n_tasks: int

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """x: (n, in_dim) → one (n, C_t) output per task."""
        raise NotImplementedError

    def _check_x(self, x: object) -> torch.Tensor:
        check_tensor("x", x, ndim=2, dtype_kind="float")
        if x.shape[1] != self.in_dim:
            raise ValueError(f"x must have {self.in_dim} columns, got shape {tuple(x.shape)}")
        dtype = next(self.parameters()).dtype
        if x.dtype != dtype:
            raise TypeError(
                f"x must have the dtype of the model's parameters, {dtype}, got {x.dtype} "
                f"(shape {tuple(x.shape)}); convert it with .to({dtype})"
            )
        return x

    def forward(self, x: torch.Tensor, task: int) -> torch.Tensor:
        """x: (n, in_dim), task: an index in 0..T-1 → (n, C_task), or (n,) when C_task = 1."""
        if isinstance(task, bool) or not isinstance(task, int):
            raise TypeError(f"task must be an int task index, got {type(task).__name__}")
        if not 0 <= task < self.n_tasks:
            raise ValueError(f"task must be in 0..{self.n_tasks - 1}, got {task}")
        out = self.forward_all(x)[task]
        return out.squeeze(-1) if out.shape[1] == 1 else out


class HardSharing(MultiTaskNet):
    """Hard parameter sharing: one trunk ``in_dim → hidden...`` and a linear head per task.

    Known overlap: ``mtl_helpers.models.HardSharingModel`` is the same design for any trunk and
    heads; this class builds an MLP trunk and adds ``forward_all`` for notebook 04.
    """

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dims: Sequence[int]) -> None:
        super().__init__()
        widths = _check_sizes(in_dim, hidden, out_dims)
        self.in_dim, self.n_tasks = in_dim, len(out_dims)
        self.shared_trunk = nn.Sequential(mlp(in_dim, widths[:-1], widths[-1]), nn.ReLU())
        self.heads = nn.ModuleList(nn.Linear(widths[-1], c) for c in out_dims)

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = self.shared_trunk(self._check_x(x))
        return [head(features) for head in self.heads]


class IndependentNets(MultiTaskNet):
    """Nothing shared: one MLP ``in_dim → hidden... → C_t`` per task."""

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dims: Sequence[int]) -> None:
        super().__init__()
        widths = _check_sizes(in_dim, hidden, out_dims)
        self.in_dim, self.n_tasks = in_dim, len(out_dims)
        self.nets = nn.ModuleList(mlp(in_dim, widths, c) for c in out_dims)

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self._check_x(x)
        return [net(x) for net in self.nets]


class CrossStitchNet(MultiTaskNet):
    """One column per task; after each hidden layer a cross-stitch unit mixes the columns.

    Column t's features after layer l become ``Σ_s α_l[t, s] h_s``, α_l: (T, T) learned, one
    scalar per pair of tasks and layer (Misra et al. also try one per channel). α starts with
    ``self_weight`` on the diagonal and the rest of each row spread evenly, so rows sum to 1;
    with α = I the model is exactly :class:`IndependentNets`.
    """

    def __init__(
        self,
        in_dim: int,
        hidden: Sequence[int],
        out_dims: Sequence[int],
        self_weight: float = 0.9,
    ) -> None:
        super().__init__()
        widths = _check_sizes(in_dim, hidden, out_dims)
        if isinstance(self_weight, bool) or not isinstance(self_weight, (int, float)):
            raise TypeError(
                f"self_weight must be a number in [0, 1], got {type(self_weight).__name__} "
                f"{self_weight!r}"
            )
        if not 0.0 <= self_weight <= 1.0:
            raise ValueError(f"self_weight must be in [0, 1], got {self_weight}")
        self.in_dim, self.n_tasks = in_dim, len(out_dims)
        ins = [in_dim, *widths[:-1]]
        self.columns = nn.ModuleList(
            nn.ModuleList(nn.Linear(a, b) for a, b in zip(ins, widths, strict=True))
            for _ in out_dims
        )
        self.heads = nn.ModuleList(nn.Linear(widths[-1], c) for c in out_dims)
        t = self.n_tasks
        start = torch.full((t, t), (1.0 - self_weight) / (t - 1))
        start.fill_diagonal_(self_weight)
        self.stitches = nn.ParameterList(nn.Parameter(start.clone()) for _ in widths)

    def stitch_matrices(self) -> torch.Tensor:
        """The learned mixing matrices, detached: (L, T, T); row t says what task t reads."""
        return torch.stack([s.detach() for s in self.stitches])

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self._check_x(x)
        features = [x] * self.n_tasks
        for depth, stitch in enumerate(self.stitches):
            stacked = torch.stack(
                [
                    torch.relu(column[depth](h))
                    for column, h in zip(self.columns, features, strict=True)
                ]
            )  # (T, n, H_l)
            mixed = torch.einsum("ts,snh->tnh", stitch, stacked)
            features = list(mixed)
        return [head(h) for head, h in zip(self.heads, features, strict=True)]


class AttentionNet(MultiTaskNet):
    """MTAN on an MLP: a shared trunk, and per task an input-dependent mask over each layer.

    Shared g_l = ReLU(L_l g_{l-1}); task t keeps f_t^l = a_t^l ⊙ g_l with
    a_t^1 = σ(A_t^1 g_1) and a_t^l = σ(A_t^l [g_l; f_t^{l-1}]), then head_t(f_t^L). The masks are
    computed from the shared features, so each input row gets its own mask. Liu et al.
    use two 1×1 convolutions with batch norm per attention module; here each is one linear layer.
    """

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dims: Sequence[int]) -> None:
        super().__init__()
        widths = _check_sizes(in_dim, hidden, out_dims)
        self.in_dim, self.n_tasks = in_dim, len(out_dims)
        ins = [in_dim, *widths[:-1]]
        self.shared_layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(ins, widths, strict=True)
        )
        mask_ins = [widths[0]] + [w + prev for w, prev in zip(widths[1:], widths[:-1], strict=True)]
        self.attention = nn.ModuleList(
            nn.ModuleList(nn.Linear(a, w) for a, w in zip(mask_ins, widths, strict=True))
            for _ in out_dims
        )
        self.heads = nn.ModuleList(nn.Linear(widths[-1], c) for c in out_dims)

    def masks(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        """The attention masks: masks[t][l] is (n, H_l) in (0, 1)."""
        return self._run(self._check_x(x))[1]

    def _run(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[list[torch.Tensor]]]:
        shared = []
        h = x
        for layer in self.shared_layers:
            h = torch.relu(layer(h))
            shared.append(h)
        outputs, all_masks = [], []
        for modules, head in zip(self.attention, self.heads, strict=True):
            task_masks, previous = [], None
            for depth, module in enumerate(modules):
                reads = (
                    shared[depth] if previous is None else torch.cat([shared[depth], previous], 1)
                )
                mask = torch.sigmoid(module(reads))
                previous = mask * shared[depth]
                task_masks.append(mask)
            outputs.append(head(previous))
            all_masks.append(task_masks)
        return outputs, all_masks

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self._run(self._check_x(x))[0]


class RelationNet(MultiTaskNet):
    """Shared lower layers, task-specific last hidden layer and head, tied by a task prior.

    Stack task t's top-layer parameters into row w_t of W: (T, P). The prior is matrix-normal
    with task covariance Ω: (T, T); its negative log density adds ``λ/2 · tr(Wᵀ Ω⁻¹ W)``
    (:meth:`relation_penalty`). Ω is set in closed form from the current weights,
    ``Ω = (W Wᵀ)^½ / tr((W Wᵀ)^½)``, as in multi-task relationship learning. This simplifies
    Long et al. (2017), who place a tensor-normal prior with feature, class and task covariances
    on several layers; here only the task covariance is learned.
    """

    def __init__(
        self,
        in_dim: int,
        hidden: Sequence[int],
        out_dims: Sequence[int],
        prior_strength: float = 1e-3,
    ) -> None:
        super().__init__()
        widths = _check_sizes(in_dim, hidden, out_dims)
        if len(widths) < 2:
            raise ValueError(f"hidden must hold at least 2 widths (shared, task), got {hidden!r}")
        self.prior_strength = check_positive_float("prior_strength", prior_strength)
        self.in_dim, self.n_tasks = in_dim, len(out_dims)
        if len(set(out_dims)) != 1:
            raise ValueError(f"out_dims must be equal to stack the task layers, got {out_dims!r}")
        self.shared_trunk = nn.Sequential(mlp(in_dim, widths[:-2], widths[-2]), nn.ReLU())
        self.task_layers = nn.ModuleList(
            nn.Sequential(nn.Linear(widths[-2], widths[-1]), nn.ReLU(), nn.Linear(widths[-1], c))
            for c in out_dims
        )

    def task_parameters(self) -> torch.Tensor:
        """W: (T, P), row t the flattened top-layer weights of task t (biases excluded)."""
        rows = [
            torch.cat([layers[0].weight.flatten(), layers[2].weight.flatten()])
            for layers in self.task_layers
        ]
        return torch.stack(rows)

    def task_covariance(self) -> torch.Tensor:
        """Ω = (W Wᵀ)^½ / tr((W Wᵀ)^½) from the current, detached weights: (T, T), trace 1."""
        weights = self.task_parameters().detach()
        gram = weights @ weights.T + 1e-6 * torch.eye(self.n_tasks)
        values, vectors = torch.linalg.eigh(gram)
        root = vectors @ torch.diag(values.clamp_min(0).sqrt()) @ vectors.T
        return root / torch.trace(root)

    def task_correlation(self) -> torch.Tensor:
        """Ω scaled to unit diagonal: (T, T), how alike the task layers are (−1..1)."""
        covariance = self.task_covariance()
        scale = covariance.diagonal().sqrt()
        return covariance / scale[:, None] / scale[None, :]

    def relation_penalty(self) -> torch.Tensor:
        """λ/2 · tr(Wᵀ Ω⁻¹ W), a scalar with gradients for W (Ω is held fixed)."""
        weights = self.task_parameters()
        precision = torch.linalg.inv(self.task_covariance())
        # tr(Wᵀ Ω⁻¹ W) = Σ_st (Ω⁻¹)_st (W Wᵀ)_st, which never forms a (P, P) matrix.
        return 0.5 * self.prior_strength * (precision * (weights @ weights.T)).sum()

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = self.shared_trunk(self._check_x(x))
        return [layers(features) for layers in self.task_layers]


def penalised_backward(penalty: Callable[[], torch.Tensor]) -> Backward:
    """A ``backward`` hook for :func:`~mtl_helpers.training.train_multitask`: Σ_i L_i + penalty().

    penalty: called once per step, returns a scalar tensor (e.g. ``RelationNet.relation_penalty``).
    """
    if not callable(penalty):
        raise TypeError(f"penalty must be callable, got {type(penalty).__name__}")
    name = getattr(penalty, "__qualname__", type(penalty).__name__)

    def backward(losses: torch.Tensor, indices: list[int]) -> torch.Tensor:
        value = check_scalar_tensor(f"the result of penalty {name}", penalty())
        objective = losses.sum() + value
        objective.backward()
        return objective

    return backward


class TaskQueryNet(MultiTaskNet):
    """Perceiver IO-style: latents cross-attend to input tokens, task queries to the latents.

    The flat input (n, n_tokens·token_dim) is cut into ``n_tokens`` tokens of ``token_dim``
    values (e.g. the columns of an image), embedded to width d with a learned position
    embedding. A learned latent array (n_latents, d) reads the tokens by cross-attention,
    then attends to itself once; each task's learned query (d,) reads the latents by
    cross-attention and a linear head maps the result to C_t outputs. One block of each kind
    where Jaegle et al. stack several.
    """

    def __init__(
        self,
        n_tokens: int,
        token_dim: int,
        out_dims: Sequence[int],
        width: int = 32,
        n_latents: int = 8,
        n_heads: int = 2,
    ) -> None:
        super().__init__()
        check_positive_int("n_tokens", n_tokens)
        check_positive_int("token_dim", token_dim)
        check_positive_int("width", width)
        check_positive_int("n_latents", n_latents)
        check_positive_int("n_heads", n_heads)
        _check_sizes(n_tokens * token_dim, [width], out_dims)
        if width % n_heads:
            raise ValueError(f"width must be divisible by n_heads={n_heads}, got {width}")
        self.in_dim, self.n_tasks = n_tokens * token_dim, len(out_dims)
        self.n_tokens, self.token_dim = n_tokens, token_dim
        self.embed = nn.Linear(token_dim, width)
        self.position = nn.Parameter(0.1 * torch.randn(n_tokens, width))
        self.latents = nn.Parameter(0.1 * torch.randn(n_latents, width))
        self.task_queries = nn.Parameter(0.1 * torch.randn(self.n_tasks, width))
        self.read_input = nn.MultiheadAttention(width, n_heads, batch_first=True)
        self.self_attend = nn.MultiheadAttention(width, n_heads, batch_first=True)
        self.read_latents = nn.MultiheadAttention(width, n_heads, batch_first=True)
        self.latent_mlp = nn.Sequential(nn.LayerNorm(width), mlp(width, [width], width))
        self.norm_tokens = nn.LayerNorm(width)
        self.norm_latents = nn.LayerNorm(width)
        self.heads = nn.ModuleList(nn.Linear(width, c) for c in out_dims)

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self._check_x(x)
        n = len(x)
        tokens = self.embed(x.reshape(n, self.n_tokens, self.token_dim)) + self.position
        tokens = self.norm_tokens(tokens)  # (n, n_tokens, d)
        latents = self.latents.expand(n, -1, -1)  # (n, L, d)
        latents = latents + self.read_input(latents, tokens, tokens, need_weights=False)[0]
        normed = self.norm_latents(latents)
        latents = latents + self.self_attend(normed, normed, normed, need_weights=False)[0]
        latents = latents + self.latent_mlp(latents)
        queries = self.task_queries.expand(n, -1, -1)  # (n, T, d)
        answers = self.read_latents(queries, latents, latents, need_weights=False)[0]
        return [head(answers[:, t]) for t, head in enumerate(self.heads)]


def plot_cross_stitch(
    stitches: torch.Tensor, task_names: Sequence[str], axes: Sequence[Axes] | None = None
) -> Figure:
    """One heat map per cross-stitch unit: stitches (L, T, T), row t = what task t reads."""
    check_tensor("stitches", stitches, ndim=3, dtype_kind="float")
    if stitches.shape[1:] != (len(task_names), len(task_names)):
        raise ValueError(
            f"stitches must have shape (L, {len(task_names)}, {len(task_names)}) for "
            f"{len(task_names)} tasks, got {tuple(stitches.shape)}"
        )
    if axes is None:
        _, axes = plt.subplots(
            1, len(stitches), figsize=(4.2 * len(stitches), 3.6), layout="constrained"
        )
        axes = [axes] if len(stitches) == 1 else list(axes)
    elif len(axes) != len(stitches):
        raise ValueError(f"axes must hold one axis per unit ({len(stitches)}), got {len(axes)}")
    for depth, ax in enumerate(axes):
        plot_heatmap(
            stitches[depth],
            list(task_names),
            f"cross-stitch unit after layer {depth + 1}",
            "mixing weight α (reads from column)",
            ax=ax,
        )
        ax.set_xlabel("column read from")
        ax.set_ylabel("column written to")
    return axes[0].figure
