"""The service layer: owns database sessions and hands back plain records.

The GUI and the command line both go through these classes; neither touches the ORM.
"""
