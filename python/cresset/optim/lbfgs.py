"""torch.optim.LBFGS: limited-memory BFGS with an optional strong-Wolfe line search.

Written from Nocedal & Wright, "Numerical Optimization" (2nd ed.): the two-loop recursion of
Algorithm 7.4 with the scaling gamma = s.y / y.y of (7.20), and the bracketing / zoom line search
of Algorithms 3.5 and 3.6 with the cubic step of (3.59). The step-size heuristics and stopping
tests follow torch's observable behaviour (same closure evaluations, same state entries). All
parameters are handled as one flat vector; the closure dominates the cost of a step.
"""
import math

import cresset
from cresset._C import Tensor
from cresset.optim.optimizer import Optimizer, _check_lr, _no_grad_step

__all__ = ["LBFGS"]

# A curvature pair is kept only when s.y exceeds this (otherwise the BFGS update would not stay
# positive definite).
_MIN_CURVATURE = 1e-10


def _scalar(x):
    """A Python number from a number or a one-element tensor."""
    return x.item() if isinstance(x, Tensor) else float(x)


def _div(a, b):
    """a / b with IEEE results for b == 0 (inf or nan), as tensor arithmetic gives."""
    if b != 0:
        return a / b
    if a != a or a == 0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _cubic_minimizer(a, fa, da, b, fb, db, lo=None, hi=None):
    """Minimizer of the cubic with values fa, fb and slopes da, db at a and b (N&W (3.59)),
    clamped to [lo, hi] (default: the interval between a and b). Where the cubic has no local
    minimizer, the middle of [lo, hi]."""
    if lo is None:
        lo, hi = min(a, b), max(a, b)
    # (3.59) is written from the right end r of the interval towards the left end l.
    (l, fl, dl), (r, fr, dr) = sorted(((a, fa, da), (b, fb, db)), key=lambda e: e[0])
    d1 = dl + dr - _div(3 * (fl - fr), l - r)
    disc = d1 * d1 - dl * dr
    if not disc >= 0:
        return (lo + hi) / 2
    d2 = math.sqrt(disc)
    x = r - (r - l) * _div(dr + d2 - d1, dr - dl + 2 * d2)
    return min(max(x, lo), hi)


class _Sample:
    """One evaluation along the search line: step t, loss f, flat gradient g, slope g.d."""

    __slots__ = ("f", "g", "slope", "t")

    def __init__(self, t, f, g, slope):
        self.t, self.f, self.g, self.slope = t, f, g, slope


class _StrongWolfeSearch:
    """Line search for a step t along d with sufficient decrease f(t) <= f(0) + c1 t f'(0) and
    the curvature condition |f'(t)| <= c2 |f'(0)| (N&W Algorithms 3.5 and 3.6).

    A bracketing phase walks forward by cubic extrapolation until an interval is known to hold
    an acceptable step; the zoom phase shrinks that interval by safeguarded cubic interpolation.
    """

    c1 = 1e-4
    c2 = 0.9
    extrapolation_limit = 10.0  # the next trial step is at most this multiple of the current
    min_growth = 0.01  # ... and at least this fraction of the last step further on
    safeguard = 0.1  # interpolated steps keep this fraction of the bracket away from its ends

    def __init__(self, evaluate, origin, d, tolerance_change, budget):
        self.evaluate = evaluate  # t -> (loss, flat gradient) at x + t d
        # Trials after the first one (torch passes what is left of max_eval).
        self.budget = budget
        self.origin = origin  # _Sample at t = 0
        self.d = d
        self.d_max = d.abs().max().item()
        self.tolerance_change = tolerance_change
        self.evals = 0

    def _sample(self, t):
        f, g = self.evaluate(t)
        self.evals += 1
        return _Sample(t, f, g, g.dot(self.d).item())

    def _too_high(self, s):
        """Sufficient decrease fails: f(t) > f(0) + c1 t f'(0)."""
        o = self.origin
        return s.f > o.f + self.c1 * s.t * o.slope

    def _flat_enough(self, s):
        return abs(s.slope) <= -self.c2 * self.origin.slope

    def run(self, t):
        """Returns (loss, flat gradient, step, evaluations) of the accepted step."""
        ends = self._bracket(t)
        best = ends[0] if len(ends) == 1 else self._zoom(ends)
        return best.f, best.g, best.t, self.evals

    def _bracket(self, t):
        """Phase 1: [sample] once a step satisfies both conditions, [a, b] once the interval
        between a and b holds one, [origin, last] when the budget runs out."""
        last, cur = self.origin, self._sample(t)
        for trial in range(self.budget):
            # From the second extrapolation on, a rise over the previous trial also brackets.
            if self._too_high(cur) or (trial > 1 and cur.f >= last.f):
                return [last, cur]
            if self._flat_enough(cur):
                return [cur]
            if cur.slope >= 0:
                return [last, cur]
            lo = cur.t + self.min_growth * (cur.t - last.t)
            hi = cur.t * self.extrapolation_limit
            t = _cubic_minimizer(last.t, last.f, last.slope, cur.t, cur.f, cur.slope, lo, hi)
            last, cur = cur, self._sample(t)
        return [self.origin, cur]

    def _zoom(self, ends):
        """Phase 2: shrinks the bracket `ends` (two slots; `low` indexes the lower loss, ties to
        slot 0) until a step satisfies both conditions or the bracket or budget is spent.
        Returns the best sample found."""
        low = 0 if ends[0].f <= ends[1].f else 1
        stalled = False
        while self.evals <= self.budget:
            a, b = ends[low], ends[1 - low]
            left, right = min(a.t, b.t), max(a.t, b.t)
            if (right - left) * self.d_max < self.tolerance_change:
                break
            t = _cubic_minimizer(a.t, a.f, a.slope, b.t, b.f, b.slope)
            t, stalled = self._keep_inside(t, left, right, stalled)
            cur = self._sample(t)
            if self._too_high(cur) or cur.f >= a.f:
                ends[1 - low] = cur
                low = 0 if ends[0].f <= ends[1].f else 1
                continue
            if self._flat_enough(cur):
                ends[low] = cur
                break
            if cur.slope * (b.t - a.t) >= 0:
                ends[1 - low] = a
            ends[low] = cur
        return ends[low]

    def _keep_inside(self, t, left, right, stalled):
        """Moves an interpolated step that hugs an end of [left, right] a margin inside, unless
        it is strictly inside and the previous step was not hugging as well (one step of
        grace). Returns (step, hugging)."""
        margin = self.safeguard * (right - left)
        if min(right - t, t - left) >= margin:
            return t, False
        if stalled or t >= right or t <= left:
            t = right - margin if abs(t - right) < abs(t - left) else left + margin
            return t, False
        return t, True


class _History:
    """The newest `size` curvature pairs (s, y) with rho = 1 / y.s, held in the given lists
    (torch's state entries old_stps, old_dirs and ro), which are updated in place."""

    def __init__(self, s, y, rho, size):
        self.s, self.y, self.rho, self.size = s, y, rho, size

    def add(self, s, y, ys):
        if len(self.s) == self.size:
            del self.s[0], self.y[0], self.rho[0]
        self.s.append(s)
        self.y.append(y)
        self.rho.append(1.0 / ys)

    def direction(self, g, gamma, alpha):
        """-H g, with H the L-BFGS inverse-Hessian estimate built on H0 = gamma I (N&W
        Algorithm 7.4). `alpha` is torch's scratch list for the first-loop coefficients."""
        q = g.neg()
        for i in reversed(range(len(self.s))):
            alpha[i] = self.s[i].dot(q) * self.rho[i]
            q.add_(self.y[i], alpha=-alpha[i].item())
        r = q.mul(gamma)
        for i in range(len(self.s)):
            beta = self.y[i].dot(r) * self.rho[i]
            r.add_(self.s[i], alpha=(alpha[i] - beta).item())
        return r


class LBFGS(Optimizer):
    """Implements the L-BFGS algorithm (torch.optim.LBFGS); one param group only."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # The parameters as one flat vector.

    def _flat_grad(self):
        return cresset.cat([p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1)
                            for p in self._params])

    def _move(self, t, d):
        """x += t d."""
        start = 0
        for p in self._params:
            n = p.numel()
            p.add_(d[start:start + n].view_as(p), alpha=_scalar(t))
            start += n

    def _evaluate(self, closure):
        loss = _scalar(self._closure_loss(closure))
        return loss, self._flat_grad()

    def _evaluate_along(self, closure, d):
        """t -> (loss, flat gradient) at x + t d, leaving the parameters at x."""
        def evaluate(t):
            saved = [p.clone() for p in self._params]
            self._move(t, d)
            result = self._evaluate(closure)
            for p, x in zip(self._params, saved):
                p.copy_(x)
            return result
        return evaluate

    @_no_grad_step
    def step(self, closure):
        """Runs up to max_iter L-BFGS iterations; returns the closure's first loss."""
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search = group["line_search_fn"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self._closure_loss(closure)
        loss = _scalar(first_loss)
        g = self._flat_grad()
        evals = 1
        state["func_evals"] += 1
        if g.abs().max().item() <= tolerance_grad:
            return first_loss

        # What the previous iteration (possibly of an earlier step) left: its direction d and
        # step t, the gradient and loss at its start, the curvature pairs and gamma.
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        gamma = state.get("H_diag")
        prev_g, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        for it in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = g.neg()
                old_dirs, old_stps, ro = [], [], []
                gamma = 1
            else:
                history = _History(old_stps, old_dirs, ro, group["history_size"])
                y = g.sub(prev_g)
                s = d.mul(t)
                ys = y.dot(s)
                if ys.item() > _MIN_CURVATURE:
                    history.add(s, y, ys)
                    gamma = ys / y.dot(y)
                if "al" not in state:
                    state["al"] = [None] * group["history_size"]
                d = history.direction(g, gamma, state["al"])
            prev_g = g.clone()
            prev_loss = loss

            if state["n_iter"] == 1:
                inv_l1 = 1.0 / g.abs().sum()
                t = (inv_l1 if inv_l1.item() < 1.0 else 1.0) * lr
            else:
                t = lr
            slope = g.dot(d).item()
            if slope > -tolerance_change:
                break

            if line_search is None:
                self._move(t, d)
                taken = 0
                if it != max_iter:  # the last iteration's gradient would go unused
                    loss, g = self._evaluate(closure)
                    taken = 1
            elif line_search == "strong_wolfe":
                search = _StrongWolfeSearch(self._evaluate_along(closure, d),
                                            _Sample(0.0, loss, g, slope), d, tolerance_change,
                                            max_eval - evals)
                loss, g, t, taken = search.run(_scalar(t))
                self._move(t, d)
            else:
                raise RuntimeError("only 'strong_wolfe' is supported")
            evals += taken
            state["func_evals"] += taken

            if it == max_iter or evals >= max_eval:
                break
            if g.abs().max().item() <= tolerance_grad:
                break
            if d.mul(t).abs().max().item() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = gamma
        state["prev_flat_grad"], state["prev_loss"] = prev_g, prev_loss
        return first_loss

