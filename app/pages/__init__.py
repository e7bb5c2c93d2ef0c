"""One module per screen, thin over the services; wiring.py registers them."""
