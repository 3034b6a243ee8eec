"""Walks a recorded autograd graph into a comparable structure: every node reachable from a
tensor's grad_fn (breadth first), its name, its edges (the node they lead to and its input_nr, or
None) and, for AccumulateGrad, which leaf it accumulates into."""
from collections import deque


def graph(out, leaves):
    """The graph behind `out` as a list of (name, edges, leaf) rows; `leaves` maps a leaf's
    position to the tensor (AccumulateGrad rows name the position of their variable)."""
    if out.grad_fn is None:
        return None
    order, index = [out.grad_fn], {id(out.grad_fn): 0}
    queue = deque(order)
    while queue:
        fn = queue.popleft()
        for nxt, _ in fn.next_functions:
            if nxt is not None and id(nxt) not in index:
                index[id(nxt)] = len(order)
                order.append(nxt)
                queue.append(nxt)
    rows = []
    for fn in order:
        edges = tuple(None if nxt is None else (index[id(nxt)], nr)
                      for nxt, nr in fn.next_functions)
        leaf = None
        if fn.name() == "torch::autograd::AccumulateGrad":
            leaf = next((i for i, t in enumerate(leaves) if t is fn.variable), "?")
        rows.append((fn.name(), edges, leaf))
    return rows


def render(rows):
    """A graph as readable lines (for assertion messages and reports)."""
    if rows is None:
        return "no grad_fn"
    out = []
    for i, (name, edges, leaf) in enumerate(rows):
        e = ", ".join("None" if x is None else f"{x[0]}:{x[1]}" for x in edges)
        out.append(f"{i} {name}" + (f" [leaf {leaf}]" if leaf is not None else "") + f" -> ({e})")
    return "\n".join(out)
