"""Structured logs: one JSON object a line, UTC with its offset, the request id, no forged lines, no personal
data; the plain console format escapes control characters too."""

import datetime as dt
import io
import json
import logging

import pytest

from sscard.core import context
from sscard.core.logs import JsonFormatter, PlainFormatter, escape_controls, redact

FORGED = '{"time":"2026-01-01T00:00:00+00:00","level":"CRITICAL","logger":"sscard","message":"forged"}'


@pytest.fixture
def log_output():
    """What the root logger writes through the production formatter while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(stream) -> list[dict]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]  # every line is one whole JSON object


def test_a_newline_in_a_request_path_cannot_forge_a_log_line(clerk_api, log_output):
    # %0A in the path: the API logs the refusal with the path (api.root), Django logs the 404 response
    res = clerk_api.get("/requests/NO-SUCH%0A" + FORGED.replace('"', "%22").replace(" ", "%20"),
                        headers={"X-Request-ID": "req-test-0001"})
    assert res.status_code == 404
    lines = _lines(log_output)
    assert lines, "nothing was logged"
    assert all(line["message"] != "forged" for line in lines)
    assert not any(line["level"] == "CRITICAL" for line in lines)
    refused = [line for line in lines if "NO-SUCH" in line["message"]]
    assert refused, lines
    for line in refused:
        assert line["request_id"] == "req-test-0001"
        assert "forged" in line["message"]  # the attacker's text is inside the one message, escaped
    assert {line["logger"] for line in refused} == {"sscard.api.root", "django.request"}
    assert "\\n" in log_output.getvalue() or "\\\\n" in log_output.getvalue()


def test_every_control_character_and_line_separator_is_escaped_in_json():
    record = logging.LogRecord("sscard.x", logging.WARNING, __file__, 1, "path %s",
                               ("a\nb\rc\x1bd\x85e\u2028f\x7fg",), None)
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert not any(ch in line for ch in "\n\r\x1b\x85\u2028\x7f")
    assert json.loads(line)["message"] == "path a\nb\rc\x1bd\x85e\u2028f\x7fg"


def test_json_lines_carry_utc_time_with_its_offset_level_logger_and_request_id():
    token = context.request_id.set("abc12345")
    try:
        record = logging.LogRecord("sscard.desk", logging.INFO, __file__, 1, "done", (), None)
        entry = json.loads(JsonFormatter().format(record))
    finally:
        context.request_id.reset(token)
    assert set(entry) == {"time", "level", "logger", "message", "request_id"}
    assert entry["time"].endswith("+00:00")
    assert dt.datetime.fromisoformat(entry["time"]).utcoffset() == dt.timedelta(0)
    assert (entry["level"], entry["logger"], entry["message"], entry["request_id"]) == \
        ("INFO", "sscard.desk", "done", "abc12345")


def test_an_exception_stays_on_the_one_line():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        import sys

        record = logging.LogRecord("sscard.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert "ValueError: bad\nthing" in json.loads(line)["exc"]


def test_id_numbers_and_mobile_numbers_are_redacted_whoever_logs_them():
    text = "id 11010519491231002X / 110105491231002 phone 13812345678 card CQ0000123 order 2026120400001"
    assert redact(text) == "id [id-number] / [id-number] phone [mobile] card CQ0000123 order 2026120400001"
    record = logging.LogRecord("sscard.x", logging.INFO, __file__, 1, "for %s", ("11010519491231002X",), None)
    assert "11010519491231002X" not in JsonFormatter().format(record)
    assert "11010519491231002X" not in PlainFormatter().format(record)


def test_the_plain_console_format_escapes_control_characters_in_the_message():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                               ("/x\n" + FORGED,), None)
    line = PlainFormatter().format(record)
    assert "\n" not in line
    assert "/x\\n{" in line
    assert line.split(" ", 1)[0].endswith("+00:00")
    assert escape_controls("中文\t\x00ok") == "中文\\t\\x00ok"


def test_the_settings_log_through_the_sscard_formatter(settings):
    from sscard.core.logs import logging_config

    config = logging_config(fmt="json", level="INFO")
    assert config["formatters"]["sscard"]["()"] == "sscard.core.logs.JsonFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "sscard"
