"""mdvalidator: validate model-hub descriptors and verify the assets they promise."""

__version__ = "0.1.0"

__all__ = ["__version__"]
