"""goodhelp: a peer-support bot that gives good help."""

__version__ = "0.1.0"
