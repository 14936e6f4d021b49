from django import template

from trellis.lib.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Imported rich text as safe HTML: ``{{ node.statement|markdown }}``."""
    return render_markdown(text)
