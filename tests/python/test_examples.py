"""The README's main job runs, and prints exactly what the same script prints under real torch."""
import os
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def run(source):
    return subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                          check=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))


def test_tensor_tour_matches_torch():
    with open(os.path.join(EXAMPLES, "tensor_tour.py")) as f:
        source = f.read()
    ours = run(source).stdout
    theirs = run(source.replace("import cresset as torch", "import torch")).stdout
    assert ours == theirs
    assert "x.grad" in ours
