"""nlp stays independent of the web application and imports fast."""

import subprocess
import sys


def test_import_nlp_pulls_no_web_or_heavy_modules():
    code = (
        "import sys, nlp\n"
        "bad = [m for m in ('flask', 'sqlalchemy', 'sqlmodel', 'consult', 'torch', 'bertopic',"
        " 'umap', 'sentence_transformers') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_surface_is_declared():
    import nlp

    for name in nlp.__all__:
        assert hasattr(nlp, name), name
