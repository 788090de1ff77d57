"""Secured AKS clusters: the cluster (cluster.py), its node pools and maintenance windows."""

from .cluster import AksCluster, AksClusterArgs

__all__ = ["AksCluster", "AksClusterArgs"]
