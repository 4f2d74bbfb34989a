"""HTML pages of the appraisals app, one module per area; what they share
is in common.py."""
