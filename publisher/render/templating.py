"""The one Jinja2 environment every renderer uses: templates from ``templates/``, escaping on."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from publisher.errors import RenderError

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@cache
def environment() -> jinja2.Environment:
    """The shared environment; HTML and XML templates are autoescaped, ``.txt`` ones are not."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` with ``context``."""
    try:
        return environment().get_template(name).render(**context)
    except jinja2.TemplateNotFound as e:
        raise RenderError(
            f"template {name} is missing from {TEMPLATES}",
            "reinstall the publisher or restore the templates directory",
        ) from e
