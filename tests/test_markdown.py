from trellis.lib.markdown import render_markdown


def test_tables_and_text_render():
    html = render_markdown("| a | b |\r\n|---|---|\r\n| 1 | $x^2$ |")
    assert "<table>" in html and "<td>$x^2$</td>" in html


def test_script_and_javascript_links_are_neutralised():
    html = render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and "<img" not in html
