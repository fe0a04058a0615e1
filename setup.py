"""The compiled n-gram counting loop (stancelib/_count.pyx); everything else is in
pyproject.toml. The extension is optional: where it cannot be built, stancelib installs
without it and counts n-grams with NumPy, to the same counts."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("stancelib._count", ["stancelib/_count.pyx"], optional=True),
    ]
)
