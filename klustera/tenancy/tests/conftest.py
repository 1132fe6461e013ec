from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def tenant_dir(settings, tmp_path: Path, tenant_a) -> Path:
    """New tenants of this test get their SQLite files in ``tmp_path``."""
    settings.TENANT_DATABASE_CLUSTERS = {
        **settings.TENANT_DATABASE_CLUSTERS,
        "default": f"sqlite:///{tmp_path}/{{slug}}.sqlite3",
    }
    return tmp_path
