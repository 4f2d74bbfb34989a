"""What the catalogue tests share."""

# The attribution the DDaT framework carries (Open Government Licence).
OGL = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Crown copyright."
)
