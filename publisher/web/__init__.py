"""The HTTP face of the publisher: the site, subscribing, and the editors' console."""
