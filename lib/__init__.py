"""Plain helpers with no models: nothing here imports Django apps."""
