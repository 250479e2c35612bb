"""TOP request signing, shared by the Tmall connector and the TOP sandbox.

The rule (Taobao/Tmall Open Platform): take every parameter except `sign` and file parameters, leave out
empty values, sort by name in byte order, concatenate `name1value1name2value2...`, then digest:
`md5` is MD5 of `secret + string + secret`, `hmac` is HMAC-MD5 and `hmac-sha256` is HMAC-SHA256 keyed with the
secret. The signature is the digest in upper-case hexadecimal.
This module is pure and imports nothing of ours.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def signing_string(params: Mapping[str, object]) -> str:
    """The string that gets digested: sorted `namevalue` pairs, without `sign`, empty values and bytes."""
    pairs = [
        (name, value if isinstance(value, str) else str(value))
        for name, value in params.items()
        if name != "sign" and value is not None and not isinstance(value, bytes | bytearray | memoryview)
    ]
    pairs = [(name, value) for name, value in pairs if value != ""]
    pairs.sort(key=lambda pair: pair[0].encode("utf-8"))
    return "".join(name + value for name, value in pairs)


def sign(params: Mapping[str, object], secret: str, method: str = "md5") -> str:
    """The `sign` value for `params` with `secret` and `method` (`md5`, `hmac` or `hmac-sha256`)."""
    text = signing_string(params).encode("utf-8")
    key = secret.encode("utf-8")
    if method == "md5":
        digest = hashlib.md5(key + text + key).hexdigest()
    elif method == "hmac":
        digest = hmac.new(key, text, hashlib.md5).hexdigest()
    elif method == "hmac-sha256":
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown sign_method {method!r}: expected one of {', '.join(SIGN_METHODS)}")
    return digest.upper()
