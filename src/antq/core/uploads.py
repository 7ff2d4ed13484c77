"""Refuse oversized uploads while they stream in, before they reach the disk."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE_FLAG = "antq_upload_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    """Drops a file as soon as it grows past ``IMPORT_MAX_BYTES``.

    The rest of the form still arrives, and ``request.antq_upload_too_large`` tells the view
    to say so in Vietnamese. Put first in ``FILE_UPLOAD_HANDLERS``.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            if self.request is not None:
                setattr(self.request, TOO_LARGE_FLAG, True)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_too_large(request: Any) -> bool:
    return bool(getattr(request, TOO_LARGE_FLAG, False))
