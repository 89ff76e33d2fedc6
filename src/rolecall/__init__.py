"""rolecall: painless AWS IAM Identity Center profiles."""

__version__ = "0.1.0"
