"""TOP signing against examples worked by hand from the rules in `tmall/TOP.md`."""

from __future__ import annotations

import pytest

from connectors.top_signing import sign, signing_string

SECRET = "helloworld"
PARAMS = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2024-05-01 12:00:00",
    "v": "2.0",
    "sign_method": "md5",
    "format": "json",
    "fields": "num_iid,title",
    "num_iid": "123",
    "empty": "",
    "sign": "ANY-OLD-SIGNATURE",
}
# Sorted by name, without `sign` and the empty `empty`, concatenated name + value.
STRING = (
    "app_key12345678fieldsnum_iid,titleformatjsonmethodtaobao.item.seller.getnum_iid123"
    "sessiontestsign_methodmd5timestamp2024-05-01 12:00:00v2.0"
)


def test_the_signing_string_sorts_names_and_leaves_out_sign_and_empty_values() -> None:
    assert signing_string(PARAMS) == STRING


def test_md5_digests_the_string_between_two_copies_of_the_secret() -> None:
    # printf '%s' "helloworld${STRING}helloworld" | md5sum
    assert sign(PARAMS, SECRET, "md5") == "F268C351A91545EFBEEE442B749013B1"


def test_hmac_is_hmac_md5_keyed_with_the_secret() -> None:
    params = {**PARAMS, "sign_method": "hmac"}
    # printf '%s' "$STRING" | openssl dgst -md5 -hmac helloworld  (with sign_methodhmac)
    assert sign(params, SECRET, "hmac") == "DF97AB856D9E5360CA4F5CA819ACD8EF"


def test_hmac_sha256_is_hmac_sha256_keyed_with_the_secret() -> None:
    params = {**PARAMS, "sign_method": "hmac-sha256"}
    expected = "D01D5B34FFCEA25DD5714AAAA3E7FDCFBFBA2586ACB22CA972BE598EE3AC0FDB"
    assert sign(params, SECRET, "hmac-sha256") == expected


def test_names_sort_in_byte_order_so_upper_case_comes_first() -> None:
    assert signing_string({"b": "1", "a": "2", "Z": "3", "a_b": "4", "ab": "5"}) == "Z3a2a_b4ab5b1"


def test_file_parameters_are_not_signed() -> None:
    with_file = {**PARAMS, "image": b"\x89PNG\r\n\x1a\n"}
    assert sign(with_file, SECRET) == sign(PARAMS, SECRET)


def test_a_changed_value_changes_the_signature() -> None:
    assert sign({**PARAMS, "num_iid": "124"}, SECRET) != sign(PARAMS, SECRET)


def test_an_unknown_sign_method_is_refused() -> None:
    with pytest.raises(ValueError, match="sign_method"):
        sign(PARAMS, SECRET, "sha1")
