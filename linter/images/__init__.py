"""Images: the reference grammar, catalogs of known registries and images, similarity of names."""
