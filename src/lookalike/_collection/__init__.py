"""The bodies of :class:`lookalike.Collection` methods whose work goes through several
layers (store, search, analysis, figures), one module per feature. Each function is
named after the method it serves and takes the state it needs (the store, the vectors,
the saved results, a search index, a thumbnail function, results the façade computed),
never the Collection, then the method's arguments, already checked: no input
validation here."""
