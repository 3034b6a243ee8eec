"""PyObject preservation: a tensor's Python object lives as long as its TensorImpl (torch's rule).

Each behavioural test runs the same code on real torch and on cresset and expects the same
outcome; see Note [Python object preservation] in python/src/bind.h."""
import gc
import os
import subprocess
import sys
import tracemalloc
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

import cresset

MODS = pytest.mark.parametrize("mod", [torch, cresset], ids=["torch", "cresset"])


@MODS
def test_attribute_on_grad_survives(mod):
    y = mod.ones(2, requires_grad=True)
    (y * 2).sum().backward()
    y.grad.foo = 1
    assert y.grad.foo == 1
    assert id(y.grad) == id(y.grad)
    assert y.grad is y.grad
    assert y.grad.__dict__ == {"foo": 1}


@MODS
def test_identity_of_grad_without_python_reference(mod):
    y = mod.ones(3, requires_grad=True)
    y.grad = mod.zeros(3)
    first = id(y.grad)
    for _ in range(3):
        gc.collect()
        assert id(y.grad) == first


@MODS
def test_view_base_keeps_its_object(mod):
    b = mod.arange(6.0)
    b.tag = "base"
    bid = id(b)
    v = b[1:4]
    del b
    gc.collect()
    assert v._base.tag == "base"
    assert id(v._base) == bid
    assert v._base is v._base


@MODS
def test_subclass_stored_only_in_cpp_keeps_type_and_dict(mod):
    class MyT(mod.Tensor):
        pass

    x = mod.ones(2, requires_grad=True)
    m = mod.Tensor._make_subclass(MyT, mod.full((2,), 3.0))
    m.bar = [1, 2]
    mid = id(m)
    x.grad = m
    del m
    gc.collect()
    g = x.grad
    assert type(g) is MyT
    assert id(g) == mid
    assert g.bar == [1, 2]
    assert g.tolist() == [3.0, 3.0]


@MODS
def test_parameter_base_keeps_its_type(mod):
    p = mod.nn.Parameter(mod.ones(4))
    p.note = "param"
    v = p[1:]
    del p
    gc.collect()
    base = v._base
    assert type(base) is mod.nn.Parameter
    assert base.note == "param"
    assert base.requires_grad


@MODS
def test_leaf_held_by_accumulate_grad(mod):
    x = mod.ones(2, requires_grad=True)
    x.tag = 7
    z = x * 2
    del x
    gc.collect()
    var = z.grad_fn.next_functions[0][0].variable
    assert var.tag == 7
    z.sum().backward()
    assert var.grad.tolist() == [2.0, 2.0]


@MODS
def test_saved_tensor_keeps_object_until_graph_is_freed(mod):
    x = mod.ones(2, requires_grad=True)
    s = x * 2
    s.tag = "kept"
    w = weakref.ref(s)
    y = s * s  # MulBackward0 saves s
    del s
    gc.collect()
    assert w() is not None and w().tag == "kept"
    y.sum().backward()  # frees the graph (cresset: with the GIL released)
    gc.collect()
    assert w() is None
    assert x.grad.tolist() == [8.0, 8.0]


@MODS
def test_self_referencing_tensor_is_collected(mod):
    t = mod.ones(3)
    t.me = t
    w = weakref.ref(t)
    del t
    gc.collect()
    assert w() is None


@MODS
def test_self_referencing_grad_survives_gc_then_is_collected(mod):
    p = mod.nn.Parameter(mod.ones(2))
    p.grad = mod.zeros(2)
    g = p.grad
    g.me = g
    w = weakref.ref(g)
    del g
    gc.collect()
    assert w() is not None
    assert p.grad.me is p.grad  # not half-cleared by the collector
    del p
    gc.collect()
    assert w() is None


@MODS
def test_weakref_to_tensors(mod):
    fired = []
    t = mod.ones(2)
    w = weakref.ref(t, lambda _: fired.append(True))
    assert w() is t
    del t
    assert w() is None and fired == [True]
    p = mod.nn.Parameter(mod.ones(2))
    wp = weakref.ref(p)
    assert wp() is p
    d = weakref.WeakValueDictionary({"p": p})
    assert d["p"] is p
    del p
    assert "p" not in d


@MODS
def test_weakref_survives_while_cpp_holds_the_tensor(mod):
    y = mod.ones(2, requires_grad=True)
    y.grad = mod.ones(2)
    w = weakref.ref(y.grad)
    gc.collect()
    assert w() is y.grad
    del y
    gc.collect()
    assert w() is None


@MODS
def test_in_place_result_is_the_same_object(mod):
    y = mod.ones(2, requires_grad=True)
    y.grad = mod.ones(2)
    y.grad.mark = 1
    assert y.grad.mul_(2) is y.grad
    assert y.grad.mark == 1


def _live_tensors():
    gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), cresset.Tensor))


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _train_steps(n, w, x):
    for i in range(n):
        h = (w * x).tanh()
        h.step = i  # an attribute on a saved intermediate: its object is preserved
        loss = (h * h).sum()
        del h
        loss.backward()
        w.grad.last = i
        w.grad = None


def test_training_loop_memory_is_flat():
    w = cresset.randn(1024, requires_grad=True)
    x = cresset.randn(1024)
    _train_steps(200, w, x)
    live, rss = _live_tensors(), _rss_bytes()
    tracemalloc.start()
    _train_steps(10_000, w, x)
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert _live_tensors() == live
    assert current < 64 * 1024  # Python memory: a leaked object per step would be ~1 MB
    assert _rss_bytes() - rss < 16 * 1024 * 1024  # a leaked 4 KB tensor per step: 40 MB


def test_threads_release_preserved_objects():
    # Each thread drops the last C++ owners of preserved objects: through backward (which runs
    # with the GIL released) and by deleting the leaf that holds a preserved .grad.
    refs = []

    def work():
        for _ in range(200):
            x = cresset.ones(4, requires_grad=True)
            s = x * 3
            s.tag = "t"
            refs.append(weakref.ref(s))
            y = s * s
            del s
            x.grad = cresset.zeros(4)
            x.grad.tag = "g"
            refs.append(weakref.ref(x.grad))
            y.sum().backward()
            assert x.grad.tag == "g"
            del x, y

    with ThreadPoolExecutor(4) as pool:
        for f in [pool.submit(work) for _ in range(4)]:
            f.result()  # re-raises a failure of the thread
    gc.collect()
    assert len(refs) == 1600 and all(r() is None for r in refs)


def test_no_crash_at_interpreter_exit():
    script = (
        "import threading, cresset as torch\n"
        "x = torch.ones(3, requires_grad=True); x.grad = torch.ones(3); x.grad.a = x.grad\n"
        "s = x * 2; s.me = s; y = s * s; del s\n"
        "class T(torch.Tensor): pass\n"
        "b = torch.Tensor._make_subclass(T, torch.ones(4)); v = b[1:]; b.v = v; del b\n"
        "def run():\n"
        "    z = torch.ones(2, requires_grad=True); w = z * 2; w.k = 1; q = w * w; del w\n"
        "    globals()['q'] = q\n"
        "t = threading.Thread(target=run); t.start(); t.join()\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
