"""TRD Planner: session planning, measures and notes for treatment-resistant depression."""

__version__ = "0.1.0"
