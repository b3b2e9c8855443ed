"""ResumeGrounding: flags for the OPTIMIZED RESUME section of a streamed answer, line by line."""

from __future__ import annotations

from typing import Any

from optimizer.analysis import ResumeGrounding, check_grounding, section_end

ORIGINAL = """Jane Doe
EXPERIENCE
Software Engineer - Acme Corp (2019 - 2022)
- Cut API latency 35%
"""


def test_it_flags_a_resume_line_as_soon_as_it_is_complete() -> None:
    grounding = ResumeGrounding(ORIGINAL)
    assert grounding.feed("OPTIMIZED RESUME\nJane Doe\n- Cut costs by 4") == []
    flags = grounding.feed("0%\n")
    assert [flag.message for flag in flags] == ['Unsupported number "40%" in "Cut costs by 40%"']
    assert grounding.messages == {'Unsupported number "40%" in "Cut costs by 40%"'}


def test_it_checks_nothing_after_the_changes_made_heading() -> None:
    grounding = ResumeGrounding(ORIGINAL)
    answer = (
        "OPTIMIZED RESUME\n- Cut API latency 35%\n"
        "CHANGES MADE\n- Consider adding Kubernetes and a 40% figure if true\n"
        "EXPECTED IMPROVEMENT\nManaged 12 engineers at Globex in 2015.\n"
    )
    flags = [flag for delta in answer for flag in grounding.feed(delta)]
    flags += grounding.finish()
    assert flags == []
    assert grounding.feed("- Saved $9M\n") == []  # the resume section is over


def test_it_checks_an_unterminated_last_line_on_finish() -> None:
    grounding = ResumeGrounding(ORIGINAL)
    assert grounding.feed("OPTIMIZED RESUME\n- Saved $2M") == []
    assert [flag.phrase for flag in grounding.finish()] == ["$2M"]
    assert grounding.finish() == []


def test_it_returns_each_message_once() -> None:
    grounding = ResumeGrounding(ORIGINAL)
    first = grounding.feed("- Cut costs by 40%\n")
    again = grounding.feed("- Cut costs by 40%\n- Cut costs by 40%\n") + grounding.finish()
    assert len(first) == 1
    assert again == []
    assert len(grounding.messages) == 1


def test_section_end_finds_the_first_later_section_heading() -> None:
    text = "OPTIMIZED RESUME\n- one\n## Changes made:\n- two\n"
    assert section_end(text) == text.index("## Changes")
    assert section_end("OPTIMIZED RESUME\n- one\n") is None


def test_lines_kept_word_for_word_are_not_checked_again(monkeypatch: Any) -> None:
    """A line of the original, copied as it is (case and spacing aside), holds only the
    original's own claims: the check skips it and reads only the lines that changed."""
    from optimizer.analysis import grounding_stream

    checked: list[str] = []
    real = grounding_stream.check_unit
    monkeypatch.setattr(
        grounding_stream, "check_unit", lambda unit, ev: (checked.append(unit.raw), real(unit, ev))
    )
    rewrite = (
        "Jane Doe\n"
        "SOFTWARE ENGINEER - ACME CORP (2019 - 2022)\n"
        "-  Cut API latency 35%\n"
        "- Cut API latency 35% at Globex\n"
    )
    flags = check_grounding(ORIGINAL, rewrite)
    assert [c.strip() for c in checked] == ["- Cut API latency 35% at Globex"]
    assert [flag.kind for flag in flags] == ["employer"]
