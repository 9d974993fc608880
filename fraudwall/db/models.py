"""The registry of every table: Alembic's env.py imports this module.

Each domain adds one import line for its models module here.
"""

from __future__ import annotations

from fraudwall.audit import models as _audit  # noqa: F401
from fraudwall.auth import models as _auth  # noqa: F401
from fraudwall.auth import tokens as _tokens  # noqa: F401
from fraudwall.cases import models as _cases  # noqa: F401
from fraudwall.db.base import Base
from fraudwall.lists import models as _lists  # noqa: F401
from fraudwall.screening import models as _screening  # noqa: F401

metadata = Base.metadata
