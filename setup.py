"""Package layout that pyproject.toml alone cannot express.

`bin/rolecall` is the console launcher (a plain script, not an entry point).
`shell/` and `completions/` live at the top level of the repository (they are
meant to be read, linted and installed by hand too) and ship inside the
package as `rolecall.shell` / `rolecall.completions` data.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
data_packages = {name: name for name in ("shell", "completions") if (HERE / name).is_dir()}

setup(
    packages=find_packages("src") + [f"rolecall.{name}" for name in data_packages],
    package_dir={"": "src", **{f"rolecall.{name}": path for name, path in data_packages.items()}},
    # A plain launcher instead of a console_scripts entry point: see bin/rolecall.
    scripts=["bin/rolecall"],
)
