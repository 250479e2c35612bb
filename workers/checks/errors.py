"""The error tree of the pipeline's counterfeit checks: everything raised here is a `CheckError`."""

from __future__ import annotations


class CheckError(Exception):
    """Checking a batch's images against the brands went wrong."""


class ImagesUnavailable(CheckError):
    """Some images could not be downloaded this time (a connection failure, a timeout, an HTTP error): the
    batch is checked again later, and after `CHECK_RETRIES` tries pushed with those images unchecked."""

    def __init__(self, batch_id: int, urls: list[str]) -> None:
        shown = ", ".join(urls[:3]) + (f" and {len(urls) - 3} more" if len(urls) > 3 else "")
        super().__init__(f"batch {batch_id}: {len(urls)} image(s) could not be fetched: {shown}")
        self.batch_id = batch_id
        self.urls = urls
