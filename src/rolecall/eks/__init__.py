"""EKS: tokens kubectl's exec plugin asks for, the clusters a profile sees, kubeconfig entries."""
