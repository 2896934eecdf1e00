"""geo.spawn: a child process never runs the parent's main script again."""

from __future__ import annotations

import sys
import types

from geo.spawn import start_process


def _nothing() -> None:
    return None


def test_child_does_not_run_the_page_script(tmp_path, monkeypatch):
    # Under `streamlit run` the page script is `__main__` while the page runs; a plain spawn
    # would import it again in the child, drawing the whole page there.
    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    proc = start_process(_nothing, (), name="test-child")
    proc.join(60)
    assert proc.exitcode == 0
    assert not marker.exists()
    assert sys.modules["__main__"] is page  # given back to the parent
