"""Format signatures: only disagreement is reported, and real starts pass."""

from __future__ import annotations

import pytest

from mdvalidator.assets.sniff import format_warning

TAR = b"model.ckpt".ljust(257, b"\0") + b"ustar\x0000"


@pytest.mark.parametrize(
    ("fmt", "head"),
    [
        ("onnx", b"\x08\x07\x12\x07pytorch\x1a\x051.13.0"),  # ir_version, producer_name
        ("mindir", b"\x0a\x050.1.1\x12\x09MindSpore"),
        ("ckpt", b"\x0a\x8b\x01\x0a\x1bconv1.weight"),
        ("air", b"\x0a\x05graph\x10\x01"),
        ("caffemodel", b"\x0a\x05LeNet\xa2\x06\x10"),
        ("caffemodel", b"\xa2\x06\x10\x0a\x04data"),  # first field "layer" (100)
        ("mslite", b"\x1c\x00\x00\x00MSL2\x00\x00"),
        ("mslite", b"\x18\x00\x00\x00MSL1\x00\x00"),
        ("ONNX", b"\x08\x08"),
    ],
)
def test_plausible_starts_pass(fmt: str, head: bytes) -> None:
    assert format_warning(fmt, head) == ""


@pytest.mark.parametrize(
    ("fmt", "head", "words"),
    [
        ("ckpt", b"<!DOCTYPE html><html>", "HTML"),
        ("onnx", b"\n  <html lang=en>", "HTML"),
        ("mindir", b'{"error": "not found"}', "JSON"),
        ("ckpt", b"PK\x03\x04\x14\x00", "zip"),
        ("onnx", b"\x1f\x8b\x08\x00", "gzip"),
        ("ckpt", TAR, "tar"),
        ("ckpt", b"\x80\x02}q\x00", "pickle"),
        ("ckpt", b"\x89HDF\r\n\x1a\n", "HDF5"),
        ("onnx", b"\x40\x00\x00\x00\x00\x00\x00\x00" + b'{"a":{"dtype":"F32"}}', "safetensors"),
        ("mslite", b"\x1c\x00\x00\x00TFL3\x00\x00", "MSLite identifier"),
        ("air", b"\x00\x01\x02", "not a field key"),
        ("onnx", b"\x0f", "not a field key"),  # wire type 7
    ],
)
def test_disagreements_are_named(fmt: str, head: bytes, words: str) -> None:
    warning = format_warning(fmt, head)
    assert words in warning and fmt.lower() in warning


def test_unknown_or_empty_is_silent() -> None:
    assert format_warning("", b"<html>") == ""
    assert format_warning("ckpt", b"") == ""
