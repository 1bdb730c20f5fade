"""The ICSS conformance harness: certifies any collection service over HTTP.

It never imports :mod:`icss.reference`; it sees a target only through the ICSS interface.
"""

__all__: list[str] = []
