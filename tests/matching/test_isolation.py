import subprocess
import sys


def test_engine_imports_nothing_from_django_or_the_apps():
    code = (
        "import sys, trellis.matching, trellis.matching.criteria, trellis.matching.explain, "
        "trellis.matching.solve\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.') "
        "or (m.startswith('trellis.') and not m.startswith('trellis.matching')))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=None
    )
    assert result.stdout.strip() == ""
