"""Rendering: an issue from the archive becomes feeds, a static web archive and an email digest.

``view`` makes an issue safe and printable once; ``feeds``, ``jsonfeed``,
``pages`` and ``digest`` turn views into documents without I/O; ``build``
reads the archive and writes the site atomically (``files``); ``preview``
writes one digest as an .eml for editors.
"""
