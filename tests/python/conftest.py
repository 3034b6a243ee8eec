import os
import sys

# Tests import the installed package; tools/dev.sh users point PYTHONPATH at their build.
sys.path.insert(0, os.path.dirname(__file__))
