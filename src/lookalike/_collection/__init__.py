"""The steps of :class:`lookalike.Collection` methods that go through several layers
(store, search, analysis, figures), one module per feature, each function named after
the method it serves. Each takes the Collection and arguments that the method has
already checked: no input validation here."""
