"""Assertions shared by the tests of the `keras-gans` command."""


def assert_one_error_line(capsys, code, *fragments):
    """The command failed (exit 1) with one `keras-gans: error:` line naming each fragment, no traceback."""
    captured = capsys.readouterr()
    assert code == 1, captured
    lines = captured.err.strip("\n").split("\n")
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("keras-gans: error: "), lines[0]
    assert "Traceback" not in captured.err + captured.out
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
