"""Pull secrets: docker config parsing, kubelet credential matching, Secret records and the rules' view."""
