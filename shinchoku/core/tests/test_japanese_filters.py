"""Template filters of core.templatetags.japanese in each language (issue 10)."""

from __future__ import annotations

from django.utils import translation

from shinchoku.core.templatetags.japanese import filesize


def test_filesize_writes_bytes_in_words_in_japanese_and_english() -> None:
    with translation.override("ja"):
        assert filesize(712) == "712バイト"
        assert filesize(1000) == "1,000バイト"
        assert filesize(2048) == "2.0 KB"
        assert filesize(3 * 1024 * 1024) == "3.0 MB"
    with translation.override("en"):
        assert filesize(712) == "712 bytes"
        assert filesize(1) == "1 byte"
        assert filesize(20 * 1024) == "20 KB"
    assert filesize(None) == ""
