"""Files written so that a kill at any moment leaves the old file or the new one, never half of one."""

import contextlib
import os


@contextlib.contextmanager
def replacing(path, suffix=""):
    """`with replacing(path) as tmp:` write `tmp` (a path next to `path`, ending in `suffix` for
    writers that go by the extension); when the block ends without error `tmp` is renamed over
    `path`, otherwise removed."""
    tmp = f"{path}.tmp{os.getpid()}{suffix}"
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
