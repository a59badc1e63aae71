"""What slimage knows about each language stack, in one place.

One module per stack (manifests, package managers, build commands, artifacts, build and
runtime base images, ignore candidates); ``init``, ``rewrite``, the lint rules and
``context`` read it from here. Adding a stack touches its module, its templates and its
tests.
"""
