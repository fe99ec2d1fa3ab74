"""Build the optional compiled simulator loop; everything else is in pyproject.toml.

The extension is optional: where no C compiler is available the install still
succeeds and theorymodel falls back to its integer-coded Python loop.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "theorymodel.machines._fastsim",
            ["theorymodel/machines/_fastsim.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
