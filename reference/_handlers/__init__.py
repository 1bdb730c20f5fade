"""Operation handlers, one module per tag of the OpenAPI document.

Importing this package registers every handler with :mod:`icss.reference._routing`; operations
without a handler answer 501 until their issue lands.
"""

from . import (  # noqa: F401
    auth,
    contact,
    erasure,
    events,
    evidence,
    intelligence,
    interop,
    operations,
    parties,
    sandbox,
    scripts,
    self_service,
)
