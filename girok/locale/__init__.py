"""girok's message catalogs (gettext): ``<lang>/LC_MESSAGES/girok.po`` and the ``.mo`` built from it.

``python -m girok.locale.build`` compiles every .po (pure Python: no gettext tools needed);
``python -m girok.locale.build --update`` first adds the msgids the code marks (``_()``, ``N_()``,
``pgettext()``, ``ngettext()``, command docstrings) to each .po, keeping the translations made.
"""
