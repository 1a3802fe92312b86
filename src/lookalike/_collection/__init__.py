"""The bodies of :class:`lookalike.Collection` methods whose work goes through several
layers (store, search, analysis, figures), one module per feature. Each function is
named after the method it serves and takes the Collection, then the method's arguments
in the method's order, already checked: no input validation here."""
