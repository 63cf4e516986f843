"""`__in` on integer columns with numbers no database integer can hold.

Django already answers `pk=10**30` with "no row" (its integer lookups drop out-of-range
values), but not `pk__in=[10**30]`: SQLite raised OverflowError and PostgreSQL an
out-of-range error, a 500 wherever a form or the API looks up several ids (a
ModelMultipleChoiceField does). Registered once for every IntegerField (ids included),
the lookup leaves out values outside the column's range: they can match no row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            try:
                low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            except KeyError:  # an integer type the backend has no range for: leave it to the database
                return super().process_rhs(compiler, connection)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
