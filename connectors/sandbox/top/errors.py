"""TOP's error answers: platform codes, `isv.`/`isp.` sub-codes, and the package's error tree."""

from __future__ import annotations

from dataclasses import dataclass

# Platform codes and their messages as the platform names them.
MESSAGES: dict[int, str] = {
    7: "App Call Limited",
    9: "Http Action Not Allowed",
    11: "Insufficient ISV Permissions",
    15: "Remote Service Error",
    21: "Missing Method",
    22: "Invalid Method",
    23: "Invalid Format",
    24: "Missing Signature",
    25: "Invalid Signature",
    26: "Missing Session",
    27: "Invalid Session",
    28: "Missing App Key",
    29: "Invalid App Key",
    30: "Missing Timestamp",
    31: "Invalid Timestamp",
    32: "Missing Version",
    34: "Unsupported Version",
    40: "Missing Required Arguments",
    41: "Invalid Arguments",
    47: "Invalid Encoding",
}


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a call, as TOP reports it: `code`/`msg` plus an optional sub-code and message."""

    code: int
    sub_code: str | None = None
    sub_msg: str | None = None

    @property
    def msg(self) -> str:
        return MESSAGES[self.code]

    def body(self, request_id: str) -> dict[str, object]:
        """The `error_response` object."""
        fields: dict[str, object] = {"code": self.code, "msg": self.msg}
        if self.sub_code:
            fields["sub_code"] = self.sub_code
        if self.sub_msg:
            fields["sub_msg"] = self.sub_msg
        fields["request_id"] = request_id
        return {"error_response": fields}

    def __str__(self) -> str:
        text = f"{self.code} {self.msg}"
        if self.sub_code:
            text += f" ({self.sub_code})"
        if self.sub_msg:
            text += f": {self.sub_msg}"
        return text


def missing(name: str, why: str | None = None) -> Problem:
    return Problem(40, f"isv.missing-parameter:{name}", why or f"{name} is required")


def invalid(name: str, why: str) -> Problem:
    return Problem(41, f"isv.invalid-parameter:{name}", why)


def business(sub_code: str, why: str) -> Problem:
    """A refusal by the item service: code 15 with an `isv.` sub-code (the caller's fault, do not retry)."""
    return Problem(15, sub_code, why)


def platform(sub_code: str, why: str) -> Problem:
    """A platform failure: code 15 with an `isp.` sub-code (retry later)."""
    return Problem(15, sub_code, why)


def flow_control(sub_code: str, wait_seconds: int) -> Problem:
    return Problem(7, sub_code, f"This ban will last for {wait_seconds} more seconds")


class TopSandboxError(Exception):
    """Root of the TOP sandbox's errors."""


class ConfigError(TopSandboxError):
    """A sandbox option or environment variable has a value the sandbox cannot use."""


class ApiError(TopSandboxError):
    """A call refused while being carried out; answered as an `error_response`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
