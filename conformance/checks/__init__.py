"""The checks, one module per area of the standard. Importing this package registers them all."""

from . import op  # noqa: F401
