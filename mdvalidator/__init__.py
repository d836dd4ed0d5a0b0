"""mdvalidator: validate model-hub descriptors and verify the assets they promise."""

# The one place the version is written: setup.cfg reads it (`version = attr: ...`), and so do
# `mdvalidator --version`, the reports and the User-Agent.
__version__ = "0.1.0"

__all__ = ["__version__"]
