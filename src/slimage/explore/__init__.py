"""``slimage explore``: a terminal explorer of one analysed image (needs the ``tui`` extra).

:mod:`slimage.explore.model` is the tree as plain data (no Textual import);
:mod:`slimage.explore.app` the Textual app that shows it.
"""
