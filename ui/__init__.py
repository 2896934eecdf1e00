"""The dashboard's panels: each takes rows and calls geo; app.py composes them."""
