"""The Groups view and its dialogs."""
