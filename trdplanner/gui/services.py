"""The services each screen calls, as protocols: screens below the window take these, never the
application context, so what a screen depends on is written where it is defined.

The window (``gui/main_window.py``, the GUI's entry) is handed the context and passes it down;
the context satisfies every protocol here, and so does a test's stand-in with just those services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from trdplanner.gui.pdfs import PrintSources

if TYPE_CHECKING:
    from trdplanner.catalog import Catalog, NoteFormats
    from trdplanner.core.db import Database
    from trdplanner.core.services.bundles import BundleService
    from trdplanner.core.services.measures import MeasureService
    from trdplanner.core.services.notes import NoteService
    from trdplanner.core.services.patients import PatientService
    from trdplanner.core.services.plans import PlanService
    from trdplanner.core.services.practice import PracticeService
    from trdplanner.core.services.sessions import SessionService
    from trdplanner.core.services.trials import TrialService
    from trdplanner.core.signing import SigningService
    from trdplanner.settings import Settings


class SessionPageServices(Protocol):
    """A session's plan and forms pages and the safety-plan editor."""

    @property
    def settings(self) -> Settings: ...
    @property
    def catalog(self) -> Catalog: ...
    @property
    def bundles(self) -> BundleService: ...
    @property
    def sessions(self) -> SessionService: ...


class FormsPageServices(SessionPageServices, PrintSources, Protocol):
    """A session's forms page: it also previews a template and reads a filled worksheet back."""


class NoteServices(Protocol):
    """The note editor: drafts, formats, signing and co-signing."""

    @property
    def settings(self) -> Settings: ...
    @property
    def note_formats(self) -> NoteFormats: ...
    @property
    def bundles(self) -> BundleService: ...
    @property
    def sessions(self) -> SessionService: ...
    @property
    def notes(self) -> NoteService: ...
    @property
    def practice(self) -> PracticeService: ...
    @property
    def signing(self) -> SigningService: ...


class SessionServices(NoteServices, FormsPageServices, Protocol):
    """The Sessions and Notes tabs: their pages, the note editor, and what they print."""


class WorkspaceServices(SessionServices, Protocol):
    """A patient's workspace: every tab's services."""

    @property
    def trials(self) -> TrialService: ...
    @property
    def measures(self) -> MeasureService: ...
    @property
    def plans(self) -> PlanService: ...


class PracticeAdminServices(Protocol):
    """The practice dialog: details, clinicians, and in a group practice, logins and caseloads."""

    @property
    def db(self) -> Database: ...
    @property
    def patients(self) -> PatientService: ...
    @property
    def practice(self) -> PracticeService: ...
