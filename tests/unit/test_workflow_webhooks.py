"""Webhook rules without a network: the signature, the back-off, and the SSRF checks."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from rapportering import webhooks
from shared import errors


def test_signature_is_hmac_sha256_of_the_exact_body():
    body = b'{"id":"1","data":{"periode":"2017-H1"}}'
    expected = hmac.new(b"hemmelig-og-lang-nok", body, hashlib.sha256).hexdigest()
    assert webhooks.signature("hemmelig-og-lang-nok", body) == "sha256=" + expected
    assert webhooks.signature("hemmelig-og-lang-nok", body + b" ") != "sha256=" + expected


def test_backoff_doubles_and_is_capped():
    assert [webhooks.backoff(n, 10, 60) for n in range(1, 6)] == [10, 20, 40, 60, 60]


@pytest.mark.parametrize("url", ["ftp://jd.example/x", "file:///etc/passwd", "http:///x", "https://u:p@jd.example/",
                                 "jd.example/hook", "http://jd.example:99999/"])
async def test_only_http_urls_with_a_host_and_no_credentials(url):
    with pytest.raises(errors.Invalid):
        await webhooks.check_url(url, restrict=False)


def _resolver(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.5", "172.16.0.1", "169.254.169.254", "::1",
                                     "fd00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"])
async def test_restricted_refuses_local_and_private_addresses(address):
    with pytest.raises(errors.Invalid) as refused:
        await webhooks.check_url("https://jd.example/hook", restrict=True, resolver=_resolver(address))
    assert "privat" in refused.value.extra["feil"][0]["melding"]


async def test_restricted_refuses_when_any_address_is_private_and_allows_public_ones():
    with pytest.raises(errors.Invalid):
        await webhooks.check_url("https://jd.example/hook", restrict=True,
                                 resolver=_resolver("151.101.1.1", "10.0.0.1"))
    await webhooks.check_url("https://jd.example/hook", restrict=True, resolver=_resolver("151.101.1.1"))


async def test_unrestricted_allows_loopback_for_development_and_tests():
    await webhooks.check_url("http://127.0.0.1:8080/hook", restrict=False, resolver=_resolver("127.0.0.1"))
