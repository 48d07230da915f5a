"""Pure builders: each returns mobjects laid out in place and never plays an animation.

Every mobject that tests must check carries a `role` attribute (see `roles.py`).
"""
