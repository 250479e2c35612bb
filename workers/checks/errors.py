"""The error tree of the pipeline's counterfeit checks: everything raised here is a `CheckError`."""

from __future__ import annotations


class CheckError(Exception):
    """Checking a batch's images against the brands went wrong."""


class ImagesUnavailable(CheckError):
    """Some images could not be downloaded this time (a connection failure, a timeout, an HTTP error): the
    batch (or recheck) is tried again later, and after `CHECK_RETRIES` tries goes on without those images.
    `what` names the work (``batch 12``), `urls` the images, shown without query or credentials."""

    def __init__(self, what: str, urls: list[str]) -> None:
        shown = ", ".join(urls[:3]) + (f" and {len(urls) - 3} more" if len(urls) > 3 else "")
        super().__init__(f"{what}: {len(urls)} image(s) could not be fetched: {shown}")
        self.what = what
        self.urls = urls
