"""The Sessions tab of the patient workspace: the session list and the session planner."""

from trdplanner.gui.sessions.tab import SessionsTab

__all__ = ["SessionsTab"]
