"""The compiled loops (stancelib/_count.pyx: target views, n-gram counting, scoring);
everything else is in pyproject.toml. The extension is optional: where it cannot be
built, stancelib installs without it and computes the same results in Python and
NumPy."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("stancelib._count", ["stancelib/_count.pyx"], optional=True),
    ]
)
