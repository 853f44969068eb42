from typing import Any, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model, covariant=True)

class TreeQuerySet(models.QuerySet[_M]):
    def get_descendants(self, include_self: bool = ...) -> TreeQuerySet[_M]: ...
    def get_ancestors(self, include_self: bool = ...) -> TreeQuerySet[_M]: ...

def __getattr__(name: str) -> Any: ...
