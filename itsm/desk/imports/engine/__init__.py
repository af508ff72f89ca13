"""Reading, mapping and checking an incident export (``reading``, ``mapping``, ``build``)."""
