"""The template catalog: loading, validating, filling and summarizing session templates."""
