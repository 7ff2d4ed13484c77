"""The label of a choice, fast.

Django's ``get_FOO_display`` builds a dict of every choice on each call (about 100 µs): a list
of 50 rows showing a few such labels spent a third of its time there. Models shown in long
lists define their ``get_FOO_display`` with ``choice_label`` (Django keeps a method a model
defines itself).
"""

from __future__ import annotations

from django.db.models import TextChoices


def choice_label(choices: type[TextChoices], value: str) -> str:
    """The translated label of ``value``; the value itself if it is no choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
