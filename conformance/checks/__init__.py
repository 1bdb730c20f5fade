"""The checks, one module per area of the standard. Importing this package registers them all."""

from . import ai, cp, dr, ds, ev, op, sc  # noqa: F401
