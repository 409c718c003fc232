"""Where the project's data files live (schemas, SQL, expectations, configuration).

They sit at the repository's top level beside the package (DEVELOPERS.md layout); an
installed copy may point elsewhere with LOWINCOME_PROJECT_ROOT.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("LOWINCOME_PROJECT_ROOT", Path(__file__).resolve().parent.parent))
SCHEMAS = PROJECT_ROOT / "schemas"
SQL = PROJECT_ROOT / "sql"
EXPECTATIONS = PROJECT_ROOT / "expectations"
CONFIG = PROJECT_ROOT / "config"
