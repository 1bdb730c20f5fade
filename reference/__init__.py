"""The ICSS reference service: a real collection service that implements the standard."""

__all__: list[str] = []
