"""Kubernetes: objects from documents, the workloads and pod specs in them, their images and placement."""
