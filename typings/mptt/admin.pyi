from typing import Any, TypeVar

from django.contrib import admin
from django.db import models

_M = TypeVar("_M", bound=models.Model)

class MPTTModelAdmin(admin.ModelAdmin[_M]): ...
class DraggableMPTTAdmin(MPTTModelAdmin[_M]): ...

def __getattr__(name: str) -> Any: ...
