from __future__ import annotations

import pytest

from .helpers import CREDENTIALS_ONLY, ODD_NAMES, config_text, credentials_text, many_names


@pytest.fixture
def odd_config(aws_config):
    """Config + credentials with every odd name; returns the names `assume` must offer."""
    aws_config(config_text(ODD_NAMES), credentials_text())
    return ["default", *ODD_NAMES, *CREDENTIALS_ONLY]


@pytest.fixture
def big_config(aws_config):
    """A 5,000-profile config (plus the odd names)."""
    names = many_names()
    aws_config(config_text(names + ODD_NAMES), credentials_text())
    return ["default", *names, *ODD_NAMES, *CREDENTIALS_ONLY]
