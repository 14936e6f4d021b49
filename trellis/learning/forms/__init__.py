"""Forms of the professional-learning pages, one module per audience (``participant``: participants,
districts and campuses). They check the shape of the input; the services hold the rules."""
