# Minimal stubs for django-mptt, which ships no type information: enough for mypy to see trees as Django models.
