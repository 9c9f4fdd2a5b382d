"""The types every layer shares: who a person is, their conversation state, the records a
turn produces, what storage hands back, and where the time comes from.

It imports nothing else of the package, so the engine, storage, channels and scheduling
can all depend on it without depending on each other.
"""
