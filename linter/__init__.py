"""imagelint: catch Kubernetes image-pull failures in manifests before they reach a cluster."""

__version__ = "0.1.0"
