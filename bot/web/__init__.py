"""The chat widget: its HTTP API, the static widget.js/css and the demo page."""
