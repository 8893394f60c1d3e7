"""publisher: turns issues of a publication into feeds, a web archive and an email digest."""

__version__ = "0.1.0"
