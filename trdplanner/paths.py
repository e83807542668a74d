"""Every filesystem location the app uses, in one place.

Three layouts are supported: a source checkout (resources/ and templates/ at the repo
top), an installed wheel (they travel inside the package as ``_resources`` and
``_templates``) and a frozen PyInstaller bundle (they sit under ``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "TRDPlanner"
DATA_DIR_ENV = "TRDPLANNER_DATA_DIR"
DB_URL_ENV = "TRDPLANNER_DB"
PASSPHRASE_ENV = "TRDPLANNER_PASSPHRASE"  # read by core/crypto.py; here so --help names it without loading it

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled_dir(installed_name: str, repo_name: str) -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / repo_name
    installed = _PACKAGE_DIR / installed_name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / repo_name


def resources_dir() -> Path:
    """Fonts, icons and stylesheets shipped with the app."""
    return _bundled_dir("_resources", "resources")


def templates_dir() -> Path:
    """The built-in session templates and note formats."""
    return _bundled_dir("_templates", "templates")


@dataclass(frozen=True)
class AppPaths:
    """Where this run of the app writes. Everything lives under ``data_dir``."""

    data_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """Pick the data dir: the argument, else $TRDPLANNER_DATA_DIR, else the platform default."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        default = platformdirs.user_data_dir(APP_NAME, appauthor=False)
        path = Path(chosen or default).expanduser()
        return cls(path.resolve())

    def ensure(self) -> AppPaths:
        """Create the folders; owner-only on POSIX because they hold clinical records."""
        for folder in (self.data_dir, self.logs_dir, self.backups_dir, self.user_templates_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                folder.chmod(0o700)
        return self

    @property
    def database_file(self) -> Path:
        return self.data_dir / "trdplanner.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def user_templates_dir(self) -> Path:
        return self.data_dir / "templates"

    def database_url(self, override: str | None = None) -> str:
        """The SQLAlchemy URL: the argument, else $TRDPLANNER_DB, else the embedded SQLite file."""
        url = override or os.environ.get(DB_URL_ENV)
        return url or f"sqlite:///{self.database_file}"
