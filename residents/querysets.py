from django.db.models import Q

from core.pii import number_search_q
from core.scoping import ScopedQuerySet


class ResidentQuerySet(ScopedQuerySet):
    def current(self):
        """Residents still living in their household: "户不漏人" counts these."""
        return self.filter(status__in=("registered", "floating"))

    def with_related(self):
        return self.select_related("household__building__grid").prefetch_related("tags")

    def search(self, term: str, *, by):
        """Name, pinyin initials (zs finds 张三), phone or ID number (full numbers only if `by` may see them)."""
        term = (term or "").strip()
        if not term:
            return self
        condition = Q(name__contains=term)
        if term.isascii() and term.isalpha():
            condition |= Q(name_initials__startswith=term.lower())
        number = number_search_q(term, fields=("phone", "id_number"), by=by)
        if number is not None:
            condition |= number
        return self.filter(condition)


class ResidenceHistoryQuerySet(ScopedQuerySet):
    pass
