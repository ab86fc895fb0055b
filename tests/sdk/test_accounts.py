"""Accounts: keyfile accounts sign unattended only when their passphrase is in the environment."""

from jcredit.accounts import unattended


class Keyfile:
    alias = "feed"
    autosign = None

    def set_autosign(self, enabled, passphrase=None):
        self.autosign = (enabled, passphrase)


def test_unattended__without_passphrase__leaves_prompting_on():
    assert unattended(Keyfile()).autosign is None


def test_unattended__passphrase_in_environment__autosigns_with_it(monkeypatch):
    monkeypatch.setenv("APE_ACCOUNTS_feed_PASSPHRASE", "s3cret")
    assert unattended(Keyfile()).autosign == (True, "s3cret")
