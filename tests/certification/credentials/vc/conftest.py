"""The pure credential tests test the ``vc`` package alone: without the portal's installed
did:web resolver and issuer map (``certification/credentials/did.py``), which read the
database. Tests of the portal's own behaviour live one folder up."""

import pytest

from certification.credentials.vc import proof


@pytest.fixture(autouse=True)
def _vc_alone():
    resolvers, issuers = list(proof._installed), list(proof._issuers)
    proof.resolver_install(None)
    proof.issuer_install(None)
    yield
    proof._installed[:] = resolvers
    proof._issuers[:] = issuers
