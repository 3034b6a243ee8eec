"""Files written by the C++ frontend's cresset::save load in Python, and the committed Python-side
fixtures still match their generator (tests/fixtures/serialize; the C++ side of the exchange is
tests/cpp/test_api_serialize.cpp)."""
import collections
import importlib.util
import os

import cresset

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "serialize")


def _fixture_module():
    spec = importlib.util.spec_from_file_location(
        "make_python_fixtures", os.path.join(FIXTURES, "make_python_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name):
    return cresset.load(os.path.join(FIXTURES, name))


def test_cpp_tensor():
    t = _load("cpp_tensor.cresset")
    assert isinstance(t, cresset.Tensor) and t.dtype == cresset.float32 and t.requires_grad
    assert t.tolist() == [[1.5, -2.5], [3.5, 4.5]]


def test_cpp_list_shares_storage():
    ints, transposed = _load("cpp_list.cresset")
    assert ints.dtype == cresset.int64 and ints.tolist() == [0, 1, 2, 3, 4]
    assert transposed.shape == (2, 2) and transposed.stride() == (1, 2)
    assert transposed.tolist() == [[1.5, 3.5], [-2.5, 4.5]]
    assert transposed.requires_grad and not ints.requires_grad  # as torch.save keeps the flag


def test_cpp_state_dict_loads_into_python_module():
    state = _load("cpp_state.cresset")
    assert isinstance(state, collections.OrderedDict)
    net = _fixture_module().Net()
    assert list(state) == list(net.state_dict())  # the same keys in Python's order
    net.load_state_dict(state)
    assert net.scale.tolist() == [2.0, 2.0, 2.0]
    assert net.fc.bias.tolist() == [-1.0, -2.0, -3.0]
    assert net.fc.weight[2, 3].item() == 0.25 * 11 + 1
    assert net.fc.weight.requires_grad


def test_python_fixtures_match_their_generator():
    gen = _fixture_module()
    t = _load("python_tensor.cresset")
    assert t.requires_grad and cresset.equal(t, gen.python_tensor())
    for ours, fresh in zip(_load("python_list.cresset"), gen.python_list()):
        assert ours.dtype == fresh.dtype and ours.stride() == fresh.stride()
        assert cresset.equal(ours, fresh)
    state, fresh_state = _load("python_state.cresset"), gen.python_net().state_dict()
    assert list(state) == list(fresh_state)
    for key in state:
        assert cresset.equal(state[key], fresh_state[key])
